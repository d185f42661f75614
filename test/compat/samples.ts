/**
 * Reads a text-format exposition into samples keyed by name and sorted labels, so two expositions that
 * differ only in order, float spelling or label order compare equal.
 */

export type Samples = Map<string, number>;

function parseLabels(text: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq).trim();
    let j = eq + 2;
    let value = '';
    while (text[j] !== '"') {
      if (text[j] === '\\') {
        const c = text[j + 1];
        value += c === 'n' ? '\n' : c;
        j += 2;
      } else value += text[j++];
    }
    out.push([name, value]);
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return out;
}

function parseValue(text: string): number {
  if (text === 'Nan' || text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Samples of an exposition; `# EOF`, comments and blank lines are skipped. Empty label values are dropped (absent). */
export function parseSamples(exposition: string): Samples {
  const samples: Samples = new Map();
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = brace < 0 ? line.indexOf(' ') : line.indexOf(' ', line.lastIndexOf('}'));
    const name = line.slice(0, brace < 0 ? space : brace);
    const labels = brace < 0 ? [] : parseLabels(line.slice(brace + 1, line.lastIndexOf('}')));
    const value = parseValue(line.slice(space + 1).split(' ')[0]!);
    const key =
      name +
      '{' +
      labels
        .filter(([, v]) => v !== '')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
        .join(',') +
      '}';
    samples.set(key, value);
  }
  return samples;
}

/** Family names with their HELP and TYPE lines. */
export function parseHeaders(exposition: string): Map<string, { help: string; type: string }> {
  const out = new Map<string, { help: string; type: string }>();
  for (const line of exposition.split('\n')) {
    const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (!m) continue;
    const entry = out.get(m[2]!) ?? { help: '', type: '' };
    if (m[1] === 'HELP') entry.help = m[3]!;
    else entry.type = m[3]!;
    out.set(m[2]!, entry);
  }
  return out;
}

/** Samples as sorted entries, for readable assertion diffs. */
export function sortedEntries(samples: Samples): [string, number][] {
  return [...samples.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
