/**
 * Bytes appended one message at a time by the one-pass writers (one-pass.ts), which do not check
 * bounds byte by byte: stores past the end of a Buffer are dropped and the native copies throw a
 * RangeError, so a message that did not fit shows as an end position past the Buffer, or as a
 * RangeError. It is then written again with twice the room, until it fits. Storage is kept across
 * `clear()`.
 */
import { allocateKept, EMPTY, SpanWriter } from './output.js';

/** Room kept free before a message is written: any ordinary span fits in it at the first try. */
const ROOM = 16 * 1024;
/** A single message larger than this is refused (a collector refuses far smaller requests). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** Writes `item` at `pos` without bounds checks, with the encoder's `state`; returns where it ends. */
export type PutMessage<S, T> = (w: SpanWriter, state: S, pos: number, item: T) => number;

export class GrowingBytes {
  private bytes: Buffer = EMPTY;
  private writer = new SpanWriter(0, EMPTY);
  /** Bytes appended so far. */
  used = 0;

  /** Appends what `put` writes of `item`; returns the new end. */
  append<S, T>(state: S, put: PutMessage<S, T>, item: T): number {
    let room = ROOM;
    for (;;) {
      if (this.bytes.length - this.used < room) this.grow(this.used + room);
      let end = -1;
      try {
        end = put(this.writer, state, this.used, item);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
      }
      if (end >= 0 && end <= this.bytes.length) {
        this.used = end;
        return end;
      }
      const free = this.bytes.length - this.used;
      if (free >= MAX_MESSAGE_BYTES) {
        throw new RangeError(`a span or resource is larger than ${MAX_MESSAGE_BYTES} bytes`);
      }
      room = Math.min(2 * free, MAX_MESSAGE_BYTES);
    }
  }

  /** Copies bytes `start` to `end` into `w` at its position. */
  copyTo(w: SpanWriter, start: number, end: number): void {
    w.buf.set(this.bytes.subarray(start, end), w.pos);
    w.pos += end - start;
  }

  /** Forgets the bytes; keeps the storage unless it is larger than `keepAtMost` bytes. */
  clear(keepAtMost = Number.POSITIVE_INFINITY): void {
    this.used = 0;
    if (this.bytes.length > keepAtMost) {
      this.bytes = EMPTY;
      this.writer = new SpanWriter(0, EMPTY);
    }
  }

  /** Bytes of storage held. */
  get capacity(): number {
    return this.bytes.length;
  }

  private grow(atLeast: number): void {
    const bigger = allocateKept(Math.max(atLeast, this.bytes.length * 2, 64 * 1024));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
    this.writer = new SpanWriter(bigger.length, bigger);
  }
}
