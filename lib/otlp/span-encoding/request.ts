/**
 * The request assembler: groups a source's spans by resource and scope, and writes the
 * `ExportTraceServiceRequest` around their `ScopeSpans.spans` fields. Each distinct Resource and
 * InstrumentationScope is encoded once, in one pass, into the state's header bytes; then every
 * ResourceSpans and ScopeSpans length is computed, and the request is written into one output of
 * exactly the total size by copying.
 */
import { varintSize } from '../../protobuf/writer.js';
import type { SpanEncoderState } from './encoder-state.js';
import { putResource, putScope } from './one-pass.js';
import { type Allocate, SpanWriter } from './output.js';
import { type EncodeScratch, scratchFor } from './scratch.js';
import type { SpanSource } from './span-source.js';
import { putText, textLength } from './text.js';
import {
  REQUEST_RESOURCE_SPANS,
  RESOURCE_SPANS_RESOURCE,
  RESOURCE_SPANS_SCOPE_SPANS,
  SCHEMA_URL,
  SCOPE_SPANS_SCOPE,
} from './wire-keys.js';

/** The largest header storage a state keeps between requests. */
const MAX_KEPT_HEADER_BYTES = 1024 * 1024;

/**
 * The request holding every span of `source`: a view of the scratch's Buffer when one is lent and
 * the request fits, else bytes from `allocate`. No spans give an empty message (zero bytes).
 */
export function encodeRequest(
  source: SpanSource,
  state: SpanEncoderState,
  scratch: EncodeScratch | undefined,
  allocate: Allocate,
): Buffer {
  state.fields.trim();
  const groups = state.groups;
  try {
    const count = groups.group(source.owners, source.length);
    encodeHeaders(state, count);
    const total = sizeRequest(source, state, count);
    const w = new SpanWriter(total, scratchFor(scratch, total), allocate);
    writeRequest(w, source, state, count);
    return w.finish();
  } finally {
    // The state keeps none of the caller's objects alive, and no outsized storage.
    groups.release();
    state.headers.clear(MAX_KEPT_HEADER_BYTES);
  }
}

/** Encodes each group's resource (once per run of groups sharing it) and scope, in write order. */
function encodeHeaders(state: SpanEncoderState, count: number): void {
  const { groups, headers, headerEnds } = state;
  headerEnds.length = 0;
  for (let g = 0; g < count; ) {
    const end = groups.resourceEnd(g, count);
    headerEnds.push(headers.append(state, putResource, groups.resource[g]!));
    for (let s = g; s < end; s++) headerEnds.push(headers.append(state, putScope, groups.scope[s]!));
    g = end;
  }
}

/** Bytes of a schema_url field ('' is left out). */
function schemaUrlSize(url: string | undefined): number {
  if (typeof url !== 'string' || url.length === 0) return 0;
  const n = textLength(url);
  return 1 + varintSize(n) + n;
}

function writeSchemaUrl(w: SpanWriter, url: string | undefined): void {
  if (typeof url !== 'string' || url.length === 0) return;
  w.buf[w.pos++] = SCHEMA_URL;
  w.pos = putText(w.buf, w.pos, url);
}

/** Bytes of the request; records every ResourceSpans and ScopeSpans length in `state.lengths`. */
function sizeRequest(source: SpanSource, state: SpanEncoderState, count: number): number {
  const { groups, headerEnds, lengths } = state;
  lengths.length = 0;
  let total = 0;
  let h = 0;
  let previous = 0;
  for (let g = 0; g < count; ) {
    const end = groups.resourceEnd(g, count);
    const resource = headerEnds[h]! - previous;
    previous = headerEnds[h++]!;
    let size = 1 + varintSize(resource) + resource;
    const slot = lengths.length;
    lengths.push(0);
    for (let s = g; s < end; s++) {
      const scope = headerEnds[h]! - previous;
      previous = headerEnds[h++]!;
      const scopeSpans =
        1 +
        varintSize(scope) +
        scope +
        source.sizeSpans(groups.order, groups.start[s]!, groups.start[s + 1]!) +
        schemaUrlSize(groups.scope[s]!.schemaUrl);
      lengths.push(scopeSpans);
      size += 1 + varintSize(scopeSpans) + scopeSpans;
    }
    size += schemaUrlSize(groups.resource[g]!.schemaUrl);
    lengths[slot] = size;
    total += 1 + varintSize(size) + size;
    g = end;
  }
  return total;
}

function writeRequest(w: SpanWriter, source: SpanSource, state: SpanEncoderState, count: number): void {
  const { groups, headers, headerEnds, lengths } = state;
  let l = 0;
  let h = 0;
  /** Opens a ResourceSpans or ScopeSpans and writes its first field: the next header message. */
  const open = (key: number, headerKey: number) => {
    w.byte(key);
    w.varint(lengths[l++]!);
    const start = h === 0 ? 0 : headerEnds[h - 1]!;
    const end = headerEnds[h++]!;
    w.byte(headerKey);
    w.varint(end - start);
    headers.copyTo(w, start, end);
  };
  for (let g = 0; g < count; ) {
    const end = groups.resourceEnd(g, count);
    open(REQUEST_RESOURCE_SPANS, RESOURCE_SPANS_RESOURCE);
    for (let s = g; s < end; s++) {
      open(RESOURCE_SPANS_SCOPE_SPANS, SCOPE_SPANS_SCOPE);
      source.writeSpans(w, groups.order, groups.start[s]!, groups.start[s + 1]!);
      writeSchemaUrl(w, groups.scope[s]!.schemaUrl);
    }
    writeSchemaUrl(w, groups.resource[g]!.schemaUrl);
    g = end;
  }
}
