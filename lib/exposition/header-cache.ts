import { slabUtf8 } from './slab.js';

/**
 * Encoded `# HELP` / `# TYPE` header lines by family name, so a scrape copies bytes instead of escaping
 * and encoding the same text again. Bounded: a registry whose names keep changing just rebuilds.
 */
export class HeaderCache {
  private readonly entries = new Map<string, { help: string; type: string; unit: string; bytes: Uint8Array }>();

  constructor(
    private readonly build: (name: string, help: string, type: string, unit: string) => string,
    private readonly limit = 10_000,
  ) {}

  get(name: string, help: string, type: string, unit: string): Uint8Array {
    const hit = this.entries.get(name);
    if (hit !== undefined && hit.help === help && hit.type === type && hit.unit === unit) return hit.bytes;
    if (this.entries.size >= this.limit) this.entries.clear();
    const bytes = slabUtf8(this.build(name, help, type, unit));
    this.entries.set(name, { help, type, unit, bytes });
    return bytes;
  }
}
