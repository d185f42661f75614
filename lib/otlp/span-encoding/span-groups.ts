/**
 * Grouping of a request's spans: one ResourceSpans per distinct Resource object, and inside it one
 * ScopeSpans per distinct InstrumentationScope object (identity, not deep equality), both in the
 * order they are first seen; spans keep their relative order within a group.
 */
import type { InstrumentationScope, Resource } from '../../trace/span-data.js';

/** What grouping reads of a span. */
export interface SpanOwner {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

/**
 * The groups of the request under way: span indices in output order, and per group (one resource
 * + one scope) its first index into `order`, its resource and its scope. Reused between requests.
 */
export class SpanGroups {
  /** Span indices in output order (the first `count` spans' worth are valid). */
  order = new Uint32Array(1024);
  /** Per group its first index into `order`, plus one entry past the last group. */
  readonly start: number[] = [];
  readonly resource: Resource[] = [];
  readonly scope: InstrumentationScope[] = [];

  /**
   * Groups the first `n` of `owners`; returns the number of groups. Groups of one resource are
   * adjacent, resources in first-seen order, scopes in first-seen order within their resource.
   */
  group(owners: readonly SpanOwner[], n: number): number {
    this.start.length = 0;
    this.resource.length = 0;
    this.scope.length = 0;
    if (n === 0) return 0;
    if (this.order.length < n) this.order = new Uint32Array(Math.max(n, this.order.length * 2));
    const resource = owners[0]!.resource;
    const scope = owners[0]!.scope;
    let uniform = true;
    for (let i = 1; i < n; i++) {
      const owner = owners[i]!;
      if (owner.resource !== resource || owner.scope !== scope) {
        uniform = false;
        break;
      }
    }
    if (!uniform) return this.groupMixed(owners, n);
    // The usual batch: one process, one tracer.
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    this.start.push(0, n);
    this.resource.push(resource);
    this.scope.push(scope);
    return 1;
  }

  /** The general case: a counting sort of span indices by group. Allocates per group, not per span. */
  private groupMixed(owners: readonly SpanOwner[], n: number): number {
    const groupResource = this.resource;
    const groupScope = this.scope;
    // Group ids in first-seen order, and for each the index of its resource in first-seen order.
    const resources = new Map<Resource, Map<InstrumentationScope, number>>();
    const resourceRank = new Map<Resource, number>();
    const firstResource: number[] = [];
    const counts: number[] = [];
    const spanGroup = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const owner = owners[i]!;
      let scopes = resources.get(owner.resource);
      if (scopes === undefined) {
        scopes = new Map();
        resources.set(owner.resource, scopes);
        resourceRank.set(owner.resource, resourceRank.size);
      }
      let id = scopes.get(owner.scope);
      if (id === undefined) {
        id = counts.length;
        scopes.set(owner.scope, id);
        counts.push(0);
        firstResource.push(resourceRank.get(owner.resource)!);
        groupResource.push(owner.resource);
        groupScope.push(owner.scope);
      }
      counts[id]!++;
      spanGroup[i] = id;
    }
    // Output rank of each group: by resource rank, then by first appearance (a stable sort).
    const groups = counts.length;
    const byOutput = Array.from({ length: groups }, (_, k) => k).sort(
      (a, b) => firstResource[a]! - firstResource[b]! || a - b,
    );
    const rank = new Uint32Array(groups);
    const next = new Uint32Array(groups);
    const resourcesInOrder: Resource[] = [];
    const scopesInOrder: InstrumentationScope[] = [];
    let offset = 0;
    for (let r = 0; r < groups; r++) {
      const id = byOutput[r]!;
      rank[id] = r;
      next[r] = offset;
      this.start.push(offset);
      resourcesInOrder.push(groupResource[id]!);
      scopesInOrder.push(groupScope[id]!);
      offset += counts[id]!;
    }
    this.start.push(offset);
    const order = this.order;
    for (let i = 0; i < n; i++) order[next[rank[spanGroup[i]!]!]!++] = i;
    for (let r = 0; r < groups; r++) {
      groupResource[r] = resourcesInOrder[r]!;
      groupScope[r] = scopesInOrder[r]!;
    }
    return groups;
  }

  /** The group after the last one sharing the resource of group `g`. */
  resourceEnd(g: number, groups: number): number {
    const resource = this.resource[g];
    let end = g + 1;
    while (end < groups && this.resource[end] === resource) end++;
    return end;
  }

  /** Lets go of the caller's resources and scopes once the request is written. */
  release(): void {
    this.resource.length = 0;
    this.scope.length = 0;
  }
}
