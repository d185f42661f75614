import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AlreadyRegisteredError,
  type Collector,
  Counter,
  type Descriptor,
  type FamilySnapshot,
  Gauge,
  GatherError,
  Histogram,
  LabelSet,
  MetricsError,
  Registry,
  series,
  formatText,
} from '../../lib/index.js';
import { compareUtf8 } from '../../lib/metrics/compare.js';

function gaugeFamily(name: string, rows: [string[], string[], number][], help = 'h'): FamilySnapshot {
  return {
    name,
    help,
    type: 'gauge',
    unit: '',
    upperBounds: null,
    quantileRanks: null,
    series: rows.map(([names, values, value]) => series(new LabelSet(names, values), { value })),
  };
}

function collectorOf(families: () => FamilySnapshot[], descriptors: Descriptor[] = []): Collector {
  return { describe: () => descriptors, collect: (out) => out.push(...families()) };
}

describe('Registry registration rules (client_golang)', () => {
  it('merges one name registered with different const label values into one family', () => {
    const registry = new Registry();
    const registers = [registry];
    new Counter({ name: 'jobs_total', help: 'Jobs.', constLabels: { queue: 'b' }, registers }).inc(2);
    new Counter({ name: 'jobs_total', help: 'Jobs.', constLabels: { queue: 'a' }, registers }).inc();
    assert.equal(
      formatText(registry.collect()),
      '# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total{queue="a"} 1\njobs_total{queue="b"} 2\n',
    );
  });

  it('refuses the same name with another help, other label names, or the same const label values', () => {
    const registry = new Registry();
    const registers = [registry];
    new Counter({ name: 'x_total', help: 'one', labelNames: ['a'], registers });
    assert.throws(
      () => new Counter({ name: 'x_total', help: 'two', labelNames: ['a'], registers }),
      /different label names or a different help string/,
    );
    assert.throws(
      () => new Counter({ name: 'x_total', help: 'one', labelNames: ['b'], registers }),
      /different label names or a different help string/,
    );
    assert.throws(
      () => new Counter({ name: 'x_total', help: 'one', labelNames: ['a'], registers }),
      AlreadyRegisteredError,
    );
  });

  it('lets a name be registered again after unregistering it', () => {
    const registry = new Registry();
    const first = new Counter({ name: 'y_total', help: 'one', registers: [registry] });
    assert.equal(registry.unregister(first), true);
    assert.equal(registry.unregister(first), false);
    const second = new Counter({ name: 'y_total', help: 'another help now', registers: [registry] });
    second.inc();
    assert.match(formatText(registry.collect()), /another help now/);
  });

  it('reports invalid descriptors at registration, naming the metric', () => {
    const registry = new Registry();
    const c = new Counter({ name: 'bad name', help: 'h', registers: [] });
    assert.throws(
      () => registry.register(c),
      (e: unknown) =>
        e instanceof MetricsError && e.stage === 'register' && /"bad name" is not a valid metric name/.test(e.message),
    );
    assert.deepEqual(registry.collectors(), []);
  });
});

describe('Registry gather checks', () => {
  it('refuses a histogram x beside a gauge x_count, keeping the rest', () => {
    const registry = new Registry();
    new Histogram({ name: 'rpc', help: 'h', registers: [registry] });
    new Gauge({ name: 'rpc_count', help: 'h', registers: [registry] });
    new Gauge({ name: 'other', help: 'h', registers: [registry] });
    assert.throws(
      () => registry.collect(),
      (e: unknown) => {
        assert.ok(e instanceof GatherError);
        assert.equal(e.problems.length, 1);
        assert.match(e.problems[0]!, /rpc_count.*collides with previously collected histogram named "rpc"/);
        assert.deepEqual(
          (e.families as FamilySnapshot[]).map((f) => f.name),
          ['other', 'rpc'],
        );
        return true;
      },
    );
  });

  it("sorts a custom collector's series and refuses duplicates and bad labels", () => {
    const registry = new Registry();
    registry.register(
      collectorOf(() => [
        gaugeFamily('temp', [
          [['room'], ['b'], 2],
          [['room'], ['a'], 1],
        ]),
      ]),
    );
    assert.equal(
      formatText(registry.collect()),
      '# HELP temp h\n# TYPE temp gauge\ntemp{room="a"} 1\ntemp{room="b"} 2\n',
    );

    const broken = new Registry();
    broken.register(
      collectorOf(() => [
        gaugeFamily('dup', [
          [['k'], ['v'], 1],
          [['k'], ['v'], 2],
        ]),
        gaugeFamily('badlabel', [[['__x'], ['v'], 1]]),
        gaugeFamily('bad-name', [[[], [], 1]]),
      ]),
    );
    const result = broken.gather();
    assert.equal(result.problems.length, 3);
    assert.match(result.problems.join('\n'), /was collected before with the same name and label values/);
    assert.match(result.problems.join('\n'), /label name "__x" is invalid/);
    assert.match(result.problems.join('\n'), /"bad-name" has an invalid name/);
    assert.deepEqual(
      result.families.map((f) => [f.name, f.series.length]),
      [['dup', 1]],
    );
  });

  it('refuses families of one name that disagree on help or type', () => {
    const registry = new Registry();
    registry.register(collectorOf(() => [gaugeFamily('m', [[['a'], ['1'], 1]], 'one')]));
    registry.register(collectorOf(() => [gaugeFamily('m', [[['a'], ['2'], 1]], 'two')]));
    assert.throws(() => registry.collect(), /has help "two" but should have "one"/);
  });

  it('reports a collector that throws, without losing the others', () => {
    const registry = new Registry();
    registry.register({
      describe: () => [],
      collect: () => {
        throw new Error('sensor unplugged');
      },
    });
    new Gauge({ name: 'fine', help: 'h', registers: [registry] }).set(1);
    const result = registry.gather();
    assert.deepEqual(result.problems, ['collector failed: sensor unplugged']);
    assert.deepEqual(
      result.families.map((f) => f.name),
      ['fine'],
    );
  });

  it('runs collect callbacks before each scrape, awaiting async ones in collectAsync', async () => {
    const registry = new Registry();
    let calls = 0;
    new Gauge({
      name: 'sync_value',
      help: 'h',
      registers: [registry],
      collect(this: Gauge) {
        this.set(++calls);
      },
    } as never);
    assert.match(formatText(registry.collect()), /sync_value 1\n/);
    assert.match(formatText(await registry.collectAsync()), /sync_value 2\n/);
    new Gauge({
      name: 'async_value',
      help: 'h',
      registers: [registry],
      async collect(this: Gauge) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        this.set(42);
      },
    } as never);
    assert.throws(() => registry.collect(), /use collectAsync/);
    assert.match(formatText(await registry.collectAsync()), /async_value 42\n/);
  });
});

describe('byte-wise UTF-8 ordering', () => {
  it('orders astral characters after U+E000..U+FFFF, unlike UTF-16', () => {
    const values = ['\u{1F600}', '\uFFFD', 'z', '\uE000', 'a'];
    const sorted = values.slice().sort(compareUtf8);
    assert.deepEqual(sorted, ['a', 'z', '\uE000', '\uFFFD', '\u{1F600}']);
    const bytes = values.slice().sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(sorted, bytes);
  });

  it('orders series by UTF-8 bytes in the output', () => {
    const registry = new Registry();
    const g = new Gauge({ name: 'u', help: 'h', labelNames: ['v'], registers: [registry] });
    g.labels('\u{1F600}').set(1);
    g.labels('\uFFFD').set(2);
    assert.equal(formatText(registry.collect()), '# HELP u h\n# TYPE u gauge\nu{v="\uFFFD"} 2\nu{v="\u{1F600}"} 1\n');
  });
});

describe('registration identity', () => {
  it('is not fooled by NUL characters in help or const label values', () => {
    const registry = new Registry();
    new Gauge({ name: 'g', help: 'h\u0000c', constLabels: { x: '1' }, registers: [registry] });
    assert.throws(
      () => new Gauge({ name: 'g', help: 'h', constLabels: { c: '1', x: '2' }, registers: [registry] }),
      /different label names or a different help string/,
    );
    const other = new Registry();
    new Gauge({ name: 'n', help: 'h', constLabels: { a: 'x\u0000', b: 'y' }, registers: [other] }).set(1);
    new Gauge({ name: 'n', help: 'h', constLabels: { a: 'x', b: '\u0000y' }, registers: [other] }).set(2);
    assert.equal(other.collect()[0]!.series.length, 2);
  });
});
