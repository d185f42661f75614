import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Counter,
  Histogram,
  LabelSet,
  Registry,
  formatOpenMetricsFloat,
  series,
  formatOpenMetrics,
  formatText,
} from '../../lib/index.js';

/** Go writes timestamps as float64(UnixNano) / 1e9 seconds. */
const seconds = (ms: number) => formatOpenMetricsFloat((ms * 1e6) / 1e9);
const escape = (s: string) => s.replace(/[.+]/g, (c) => '\\' + c);

describe('OpenMetrics extras', () => {
  it('writes exemplars on counters and buckets (seconds timestamps), never in the text format', () => {
    const registry = new Registry();
    const c = new Counter({ name: 'hits_total', help: 'Hits.', registers: [registry] });
    const h = new Histogram({ name: 'lat_seconds', help: 'Latency.', buckets: [0.1, 1], registers: [registry] });
    c.addWithExemplar(2, { trace_id: 'abc', span_id: '01' });
    h.observeWithExemplar(0.5, { trace_id: 'def' });
    h.observeWithExemplar(7, { trace_id: 'inf' });
    const families = registry.collect();
    const hitsExemplar = families.find((f) => f.name === 'hits_total')!.series[0]!.exemplar!;
    const ts = escape(seconds(hitsExemplar.timestampMs!));
    const om = formatOpenMetrics(families);
    assert.match(om, new RegExp(`^hits_total 2\\.0 # \\{span_id="01",trace_id="abc"\\} 2\\.0 ${ts}$`, 'm'));
    assert.match(om, /^lat_seconds_bucket\{le="0\.1"\} 0$/m);
    assert.match(om, /^lat_seconds_bucket\{le="1\.0"\} 1 # \{trace_id="def"\} 0\.5 \S+$/m);
    assert.match(om, /^lat_seconds_bucket\{le="\+Inf"\} 2 # \{trace_id="inf"\} 7\.0 \S+$/m);
    assert.doesNotMatch(formatText(families), /#.*trace_id/);
  });

  it('refuses exemplars over 128 runes and with invalid label names, recording nothing', () => {
    const registry = new Registry();
    const c = new Counter({ name: 'e_total', help: 'h', registers: [registry] });
    assert.throws(() => c.addWithExemplar(1, { trace_id: 'x'.repeat(130) }), /exceeding the limit of 128/);
    assert.throws(() => c.addWithExemplar(1, { 'bad-name': 'x' }), /exemplar label name "bad-name" is invalid/);
    assert.equal(c.get(), 0);
  });

  it('writes _created lines when asked, UNIT when the metric has one, and escapes quotes in HELP', () => {
    const registry = new Registry();
    const c = new Counter({
      name: 'bytes_sent_bytes_total',
      help: 'Say "hi"\\now',
      unit: 'bytes',
      labelNames: ['k'],
      registers: [registry],
    });
    c.labels('v').inc();
    const created = seconds(c.labels('v').createdMs);
    const om = formatOpenMetrics(registry.collect(), { created: true });
    assert.equal(
      om,
      '# HELP bytes_sent_bytes Say \\"hi\\"\\\\now\n# TYPE bytes_sent_bytes counter\n# UNIT bytes_sent_bytes bytes\n' +
        `bytes_sent_bytes_total{k="v"} 1.0\nbytes_sent_bytes_created{k="v"} ${created}\n# EOF\n`,
    );
    assert.match(formatText(registry.collect()), /^# HELP bytes_sent_bytes_total Say "hi"\\\\now$/m);
    assert.throws(
      () => new Counter({ name: 'x_total', help: 'h', unit: 'seconds', registers: [] }),
      /must be named \*_seconds/,
    );
  });

  it('writes explicit sample timestamps: milliseconds in text, seconds in OpenMetrics', () => {
    const family = {
      name: 'ts_gauge',
      help: '',
      type: 'gauge' as const,
      unit: '',
      upperBounds: null,
      quantileRanks: null,
      series: [series(LabelSet.EMPTY, { value: 1.5, timestampMs: 1700000000123 })],
    };
    assert.equal(formatText([family]), '# HELP ts_gauge \n# TYPE ts_gauge gauge\nts_gauge 1.5 1700000000123\n');
    assert.equal(
      formatOpenMetrics([family]),
      '# HELP ts_gauge \n# TYPE ts_gauge gauge\nts_gauge 1.5 1.700000000123e+09\n# EOF\n',
    );
  });
});
