/**
 * The series the Prometheus text format shows, as label maps (with `__name__`) and values: what every push
 * mode must deliver. Parses our own text output (escapes included); comments are skipped.
 */

export interface TextSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses `name{a="x",...} value` lines. */
export function textSeries(text: string): TextSeries[] {
  const out: TextSeries[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    const labels: Record<string, string> = {};
    let name: string;
    if (brace >= 0 && brace < space) {
      name = line.slice(0, brace);
      let i = brace + 1;
      while (line[i] !== '}') {
        const eq = line.indexOf('=', i);
        const key = line.slice(i, eq);
        i = eq + 2; // past ="
        let value = '';
        while (line[i] !== '"') {
          if (line[i] === '\\') {
            const c = line[i + 1];
            value += c === 'n' ? '\n' : c;
            i += 2;
          } else value += line[i++];
        }
        labels[key] = value;
        i++; // past the closing quote
        if (line[i] === ',') i++;
      }
    } else {
      name = line.slice(0, space);
    }
    labels.__name__ = name;
    const raw = line.slice(space + 1);
    out.push({ labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  return out;
}

/** A canonical key for a label map: sorted `name=value` pairs. */
export function seriesKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

/** Label map key -> value, for comparing sets of series. */
export function seriesMap(series: readonly TextSeries[]): Map<string, number> {
  return new Map(series.map((s) => [seriesKey(s.labels), s.value]));
}
