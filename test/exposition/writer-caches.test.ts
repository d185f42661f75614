/**
 * The writers keep their caches (line prefixes, encoded label fields) in slots of their own (see
 * exposition/label-cache.ts): the LabelSet compares and serializes as the metrics engine made it, a frozen
 * one still works, and a cached entry is used only for the family name and bounds it was built for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LabelSet,
  encodeProtobuf,
  formatOpenMetrics,
  formatText,
  series,
  type FamilySnapshot,
} from '../../lib/metrics/index.js';
import { encodeEnvelope, encodeExportMetricsRequest } from '../../lib/otlp/metrics-encode.js';
import { encodeWriteRequest } from '../../lib/push/remote-write-encode.js';

/** The OTLP metrics encoder, which keeps its per-series entry in a writer slot too. */
const otlpHead = encodeEnvelope({ resource: { 'service.name': 't' }, scope: { name: 'zerotel', version: '0' } });
const encodeOtlp = (families: readonly FamilySnapshot[]): Uint8Array =>
  encodeExportMetricsRequest(families, otlpHead, 0);

function histogram(name: string, labels: LabelSet, upperBounds: readonly number[]): FamilySnapshot {
  return {
    name,
    help: '',
    type: 'histogram',
    unit: '',
    upperBounds,
    quantileRanks: null,
    series: [series(labels, { buckets: upperBounds.map(() => 1), sum: 0.5, count: 1 })],
  };
}

function gauge(name: string, labels: LabelSet): FamilySnapshot {
  return {
    name,
    help: '',
    type: 'gauge',
    unit: '',
    upperBounds: null,
    quantileRanks: null,
    series: [series(labels, { value: 2 })],
  };
}

describe('writer caches', () => {
  it('leave the LabelSet as the metrics engine made it: same fields, same comparisons, same JSON', () => {
    const labels = new LabelSet(['a'], ['x']);
    const fresh = new LabelSet(['a'], ['x']);
    const families = [histogram('h', labels, [1, 2]), gauge('g', labels)];
    const outputs = () => [
      formatText(families),
      formatOpenMetrics(families),
      Buffer.from(encodeProtobuf(families)).toString('hex'),
      Buffer.from(encodeOtlp(families)).toString('hex'),
      Buffer.from(encodeWriteRequest(families, 0)).toString('hex'),
    ];
    const first = outputs();
    assert.deepEqual(outputs(), first);
    assert.deepEqual(Object.getOwnPropertyNames(labels), Object.getOwnPropertyNames(fresh));
    assert.deepEqual(Object.keys(labels), Object.keys(fresh));
    assert.deepStrictEqual(labels, fresh);
    assert.deepStrictEqual({ ...labels }, { ...fresh });
    assert.equal(JSON.stringify(labels), JSON.stringify(fresh));
  });

  it('add their slots in one order whichever format is scraped first, so label sets keep one shape', () => {
    const order = (scrape: (families: FamilySnapshot[]) => unknown): symbol[] => {
      const labels = new LabelSet(['a'], ['x']);
      scrape([gauge('g', labels)]);
      return Object.getOwnPropertySymbols(labels);
    };
    const byText = order(formatText);
    assert.equal(byText.length, 5);
    assert.deepEqual(order(formatOpenMetrics), byText);
    assert.deepEqual(order(encodeProtobuf), byText);
    assert.deepEqual(order(encodeOtlp), byText);
    assert.deepEqual(
      order((families) => encodeWriteRequest(families, 0)),
      byText,
    );
  });

  it('work on a label set its owner froze', () => {
    const frozen = Object.freeze(new LabelSet(['a'], ['x']));
    const families = [histogram('h', frozen, [1]), gauge('g', frozen)];
    const open = [histogram('h', new LabelSet(['a'], ['x']), [1]), gauge('g', new LabelSet(['a'], ['x']))];
    for (let i = 0; i < 2; i++) {
      assert.equal(formatText(families), formatText(open));
      assert.equal(formatOpenMetrics(families), formatOpenMetrics(open));
      assert.deepEqual(encodeProtobuf(families), encodeProtobuf(open));
      assert.deepEqual(encodeOtlp(families), encodeOtlp(open));
    }
  });

  it('rebuild prefixes when one label set moves to another family name or other bounds', () => {
    const labels = new LabelSet(['a'], ['x']);
    const bounds = [1, 2];
    assert.equal(
      formatText([histogram('first', labels, bounds)]),
      '# HELP first \n# TYPE first histogram\n' +
        'first_bucket{a="x",le="1"} 1\nfirst_bucket{a="x",le="2"} 1\nfirst_bucket{a="x",le="+Inf"} 1\n' +
        'first_sum{a="x"} 0.5\nfirst_count{a="x"} 1\n',
    );
    assert.equal(
      formatText([histogram('second', labels, [0.25])]),
      '# HELP second \n# TYPE second histogram\n' +
        'second_bucket{a="x",le="0.25"} 1\nsecond_bucket{a="x",le="+Inf"} 1\nsecond_sum{a="x"} 0.5\nsecond_count{a="x"} 1\n',
    );
    assert.equal(formatText([gauge('first', labels)]), '# HELP first \n# TYPE first gauge\nfirst{a="x"} 2\n');
    // The OpenMetrics cache is its own: the text writer's entries never leak into it.
    assert.equal(
      formatOpenMetrics([histogram('first', labels, bounds)]),
      '# HELP first \n# TYPE first histogram\n' +
        'first_bucket{a="x",le="1.0"} 1\nfirst_bucket{a="x",le="2.0"} 1\nfirst_bucket{a="x",le="+Inf"} 1\n' +
        'first_sum{a="x"} 0.5\nfirst_count{a="x"} 1\n# EOF\n',
    );
    assert.equal(formatText([histogram('first', labels, bounds)]).split('\n')[2], 'first_bucket{a="x",le="1"} 1');
  });
});
