/** The `scripts/render.ts` command-line contract: arguments, stdout bytes, stderr first line, exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const reference = (name: string) => fileURLToPath(new URL(`../conformance/reference/${name}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'zerotel-render-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function render(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/render.ts', ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

describe('scripts/render.ts', () => {
  for (const [format, suffix] of [
    ['text', '.txt'],
    ['openmetrics', '.om.txt'],
    ['protobuf', '.pb'],
  ] as const) {
    it(`writes the exact ${format} bytes of a fixture and exits 0`, () => {
      const out = render(reference('mixed_types.json'), '--format', format);
      assert.equal(out.status, 0, out.stderr);
      assert.ok(Buffer.compare(out.stdout, readFileSync(reference(`mixed_types${suffix}`))) === 0);
      assert.equal(out.stderr, '');
    });
  }

  it('accepts --format=VALUE and the options before the file', () => {
    const out = render('--format=text', reference('counter_labels.json'));
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout.toString(), readFileSync(reference('counter_labels.txt'), 'utf8'));
  });

  it('exits 1 with "stage: <stage>" first on stderr for a fixture client_golang refuses', () => {
    for (const [name, stage] of [
      ['error_counter_decrease', 'op'],
      ['error_name_with_dash', 'register'],
      ['error_summary_quantile_label', 'construct'],
    ]) {
      const out = render(reference(`${name}.json`), '--format', 'text');
      assert.equal(out.status, 1, name);
      assert.equal(out.stdout.length, 0, `${name}: nothing on stdout`);
      const lines = out.stderr.split('\n');
      assert.equal(lines[0], `stage: ${stage}`, name);
      assert.match(out.stderr, /^family_index: 0$/m);
      assert.match(out.stderr, /^error: .+/m);
    }
    assert.match(render(reference('error_counter_decrease.json'), '--format', 'text').stderr, /^op_index: 1$/m);
  });

  it('exits 2 on bad arguments and unreadable or malformed fixtures', () => {
    assert.equal(render().status, 2);
    assert.match(render(reference('counter_labels.json')).stderr, /missing --format/);
    assert.match(render(reference('counter_labels.json'), '--format', 'xml').stderr, /unknown format "xml"/);
    assert.match(
      render(reference('counter_labels.json'), '--format', 'text', '--bogus').stderr,
      /unknown option --bogus/,
    );
    const missing = render(join(scratch, 'nope.json'), '--format', 'text');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read/);
    const unknownField = join(scratch, 'unknown-field.json');
    writeFileSync(unknownField, JSON.stringify({ families: [{ name: 'a', help: '', type: 'gauge', colour: 'red' }] }));
    const bad = render(unknownField, '--format', 'text');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /families\[0\]: unknown field "colour"/);
    const notJson = join(scratch, 'not.json');
    writeFileSync(notJson, '{');
    assert.match(render(notJson, '--format', 'text').stderr, /not valid JSON/);
  });

  it("--batch writes every fixture of a directory in the Go generator's layout, byte-identical to its outputs", () => {
    const inDir = fileURLToPath(new URL('../conformance/reference/', import.meta.url));
    const outDir = join(scratch, 'batch-reference');
    const out = render('--batch', inDir, '--out', outDir);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stderr, '');
    const expected = readdirSync(inDir).filter((f) => /\.(txt|pb)$/.test(f) && f !== 'README.md');
    const written = readdirSync(outDir).sort();
    assert.deepEqual(written, expected.sort());
    for (const name of written) {
      if (name.endsWith('.error.txt')) {
        // Error messages differ between the two libraries; stage, family and op are the contract.
        const fields = (text: string) =>
          text.split('\n').filter((l) => /^(stage|family_index|family|op_index):/.test(l));
        assert.deepEqual(
          fields(readFileSync(join(outDir, name), 'utf8')),
          fields(readFileSync(join(inDir, name), 'utf8')),
          name,
        );
        assert.match(
          readFileSync(join(outDir, name), 'utf8'),
          /^stage: \w+\n(family_index: \d+\nfamily: ".*"\n(op_index: \d+\n)?)?error: .+\n$/,
          name,
        );
      } else {
        assert.ok(Buffer.compare(readFileSync(join(outDir, name)), readFileSync(join(inDir, name))) === 0, name);
      }
    }
  });

  it('--batch replaces a stale output of the other kind and names malformed fixtures, writing the rest', () => {
    const inDir = join(scratch, 'batch-in');
    const outDir = join(scratch, 'batch-out');
    mkdirSync(inDir);
    mkdirSync(outDir);
    writeFileSync(join(inDir, 'good.json'), readFileSync(reference('counter_labels.json')));
    writeFileSync(join(inDir, 'refused.json'), readFileSync(reference('error_counter_decrease.json')));
    writeFileSync(join(inDir, 'broken.json'), '{"families": 3}');
    writeFileSync(join(inDir, 'ignored.txt'), 'not a fixture');
    writeFileSync(join(outDir, 'good.error.txt'), 'stale');
    writeFileSync(join(outDir, 'refused.txt'), 'stale');
    const out = render('--batch', inDir, '--out', outDir);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /broken\.json: families: expected an array/);
    assert.deepEqual(readdirSync(outDir).sort(), ['good.om.txt', 'good.pb', 'good.txt', 'refused.error.txt']);
    assert.equal(readFileSync(join(outDir, 'good.txt'), 'utf8'), readFileSync(reference('counter_labels.txt'), 'utf8'));
    assert.match(
      readFileSync(join(outDir, 'refused.error.txt'), 'utf8'),
      /^stage: op\nfamily_index: 0\nfamily: ".+"\nop_index: 1\nerror: .+\n$/,
    );
    assert.ok(!existsSync(join(outDir, 'broken.error.txt')));
  });

  it('--batch refuses bad argument combinations with exit 2', () => {
    assert.match(render('--batch', scratch).stderr, /missing --out OUT_DIR/);
    assert.match(render('--out', scratch).stderr, /--out needs --batch IN_DIR/);
    assert.match(render('--batch', scratch, '--out', scratch, '--format', 'text').stderr, /--format does not apply/);
    const missing = render('--batch', join(scratch, 'nope'), '--out', join(scratch, 'x'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot list/);
  });
});
