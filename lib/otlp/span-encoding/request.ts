/**
 * The request assembler: groups a source's spans by resource and scope, and writes the
 * `ExportTraceServiceRequest` around their `ScopeSpans.spans` fields. Two passes: the sizes of
 * every ResourceSpans, ScopeSpans, Resource and InstrumentationScope (and whatever the source
 * records for its spans) first, then the bytes into one output of exactly the total size.
 */
import { varintSize } from '../../protobuf/writer.js';
import type { SpanEncoderState } from './encoder-state.js';
import { type Allocate, SpanWriter } from './output.js';
import { type EncodeScratch, scratchFor } from './scratch.js';
import { schemaUrlSize, sizeResource, sizeScope } from './size-pass.js';
import type { SpanSource } from './span-source.js';
import {
  REQUEST_RESOURCE_SPANS,
  RESOURCE_SPANS_RESOURCE,
  RESOURCE_SPANS_SCOPE_SPANS,
  SCOPE_SPANS_SCOPE,
} from './wire-keys.js';
import { writeResource, writeSchemaUrl, writeScope } from './write-pass.js';

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
    state.sizes.reset();
    let total = 0;
    for (let g = 0; g < count; ) {
      const end = groups.resourceEnd(g, count);
      const size = sizeResourceSpans(source, state, g, end);
      total += 1 + varintSize(size) + size;
      g = end;
    }
    const w = new SpanWriter(total, scratchFor(scratch, total), allocate);
    for (let g = 0; g < count; ) {
      const end = groups.resourceEnd(g, count);
      w.byte(REQUEST_RESOURCE_SPANS);
      writeResourceSpans(w, source, state, g, end);
      g = end;
    }
    return w.finish();
  } finally {
    // The state keeps none of the caller's objects alive.
    groups.release();
  }
}

/** Bytes of the ResourceSpans of groups `from` ... `to - 1` (one resource). */
function sizeResourceSpans(source: SpanSource, state: SpanEncoderState, from: number, to: number): number {
  const sizes = state.sizes;
  const resource = state.groups.resource[from]!;
  const slot = sizes.reserve();
  const resourceSize = sizeResource(state, resource);
  let size = 1 + varintSize(resourceSize) + resourceSize;
  for (let g = from; g < to; g++) {
    const scopeSpans = sizeScopeSpans(source, state, g);
    size += 1 + varintSize(scopeSpans) + scopeSpans;
  }
  size += schemaUrlSize(resource.schemaUrl);
  sizes.set(slot, size);
  return size;
}

function sizeScopeSpans(source: SpanSource, state: SpanEncoderState, g: number): number {
  const sizes = state.sizes;
  const groups = state.groups;
  const scope = groups.scope[g]!;
  const slot = sizes.reserve();
  const scopeSize = sizeScope(state, scope);
  let size = 1 + varintSize(scopeSize) + scopeSize;
  size += source.sizeSpans(state, groups.order, groups.start[g]!, groups.start[g + 1]!);
  size += schemaUrlSize(scope.schemaUrl);
  sizes.set(slot, size);
  return size;
}

function writeResourceSpans(w: SpanWriter, source: SpanSource, state: SpanEncoderState, from: number, to: number) {
  const resource = state.groups.resource[from]!;
  w.varint(state.sizes.next());
  w.byte(RESOURCE_SPANS_RESOURCE);
  writeResource(w, state, resource);
  for (let g = from; g < to; g++) {
    w.byte(RESOURCE_SPANS_SCOPE_SPANS);
    writeScopeSpans(w, source, state, g);
  }
  writeSchemaUrl(w, resource.schemaUrl);
}

function writeScopeSpans(w: SpanWriter, source: SpanSource, state: SpanEncoderState, g: number): void {
  const groups = state.groups;
  const scope = groups.scope[g]!;
  w.varint(state.sizes.next());
  w.byte(SCOPE_SPANS_SCOPE);
  writeScope(w, state, scope);
  source.writeSpans(w, state, groups.order, groups.start[g]!, groups.start[g + 1]!);
  writeSchemaUrl(w, scope.schemaUrl);
}
