/** The OpenTelemetry environment variables the tracing SDK honours, and the resource it detects. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as api from '@opentelemetry/api';
import { hostDetector, osDetector, processDetector } from '@opentelemetry/resources';
import { OtlpConfigError, otlpProtocolFromEnv, resolveOtlpConfig } from '../../lib/otlp/config.js';
import { ROOT_CONTEXT, setSpan } from '../../lib/trace/context.js';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
  propagatorFromEnv,
} from '../../lib/trace/propagators.js';
import { inject } from '../../lib/trace/propagation.js';
import { detectResourceAttributes, resourceDetectorsFromEnv } from '../../lib/trace/resource-detectors.js';
import { ZEROTEL_VERSION } from '../../lib/version.js';
import { NonRecordingSpan, TraceFlags } from '../../lib/trace/span.js';
import { TraceState } from '../../lib/trace/trace-state.js';
import { defaultResource, isSdkDisabled } from '../../lib/trace/tracer.js';
import { setup } from './helpers.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

/** A non-recording span with a valid context, as an extracted parent is. */
function parentSpan(traceState = TraceState.EMPTY) {
  return new NonRecordingSpan({
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: TraceFlags.SAMPLED,
    traceState,
    isRemote: true,
  });
}

function contextWithSpan(traceState = TraceState.EMPTY) {
  return setSpan(ROOT_CONTEXT, parentSpan(traceState));
}

describe('OTEL_SDK_DISABLED', () => {
  it('is read as "true" in any case, anything else leaves the SDK on', () => {
    assert.equal(isSdkDisabled({ OTEL_SDK_DISABLED: 'true' }), true);
    assert.equal(isSdkDisabled({ OTEL_SDK_DISABLED: ' TRUE ' }), true);
    assert.equal(isSdkDisabled({ OTEL_SDK_DISABLED: 'false' }), false);
    assert.equal(isSdkDisabled({ OTEL_SDK_DISABLED: '1' }), false);
    assert.equal(isSdkDisabled({}), false);
  });

  it('makes every span non-recording; the option overrides it', () => {
    const before = process.env['OTEL_SDK_DISABLED'];
    process.env['OTEL_SDK_DISABLED'] = 'true';
    try {
      const off = setup();
      const span = off.provider.getTracer('t').startSpan('x');
      assert.equal(span.isRecording(), false);
      span.end();
      assert.equal(off.processor.ended.length, 0);
      // The parent still propagates, as with the api's no-op tracer.
      const parent = parentSpan();
      const child = off.provider.getTracer('t').startSpan('z', {}, setSpan(ROOT_CONTEXT, parent));
      assert.deepEqual(child.spanContext(), parent.spanContext());
      const on = setup({ disabled: false });
      on.provider.getTracer('t').startSpan('y').end();
      assert.equal(on.processor.ended.length, 1);
    } finally {
      if (before === undefined) delete process.env['OTEL_SDK_DISABLED'];
      else process.env['OTEL_SDK_DISABLED'] = before;
    }
  });
});

describe('OTEL_PROPAGATORS', () => {
  const kinds = (p: CompositePropagator) => p.fields();

  it('defaults to tracecontext,baggage', () => {
    const warnings: string[] = [];
    assert.deepEqual(kinds(propagatorFromEnv({}, (m) => warnings.push(m))), ['traceparent', 'tracestate', 'baggage']);
    assert.deepEqual(warnings, []);
  });

  it('takes tracecontext, baggage and none, in the order given', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    assert.deepEqual(kinds(propagatorFromEnv({ OTEL_PROPAGATORS: 'baggage, TraceContext' }, warn)), [
      'baggage',
      'traceparent',
      'tracestate',
    ]);
    assert.deepEqual(kinds(propagatorFromEnv({ OTEL_PROPAGATORS: 'none' }, warn)), []);
    assert.deepEqual(warnings, []);
    const carrier: Record<string, string> = {};
    propagatorFromEnv({ OTEL_PROPAGATORS: 'none' }, warn).inject(contextWithSpan(), carrier, api.defaultTextMapSetter);
    assert.deepEqual(carrier, {});
  });

  it('warns, naming them, for b3, jaeger and unknown names, and leaves them out', () => {
    const warnings: string[] = [];
    const p = propagatorFromEnv({ OTEL_PROPAGATORS: 'b3,tracecontext,jaeger,bogus' }, (m) => warnings.push(m));
    assert.deepEqual(kinds(p), ['traceparent', 'tracestate']);
    assert.deepEqual(warnings, [
      'OTEL_PROPAGATORS: "b3" is not implemented by zerotel; it is left out',
      'OTEL_PROPAGATORS: "jaeger" is not implemented by zerotel; it is left out',
      'OTEL_PROPAGATORS: unknown propagator "bogus" is left out (known: tracecontext, baggage, none)',
    ]);
  });

  it('a composite keeps going when one propagator throws', () => {
    const broken = {
      inject: () => {
        throw new Error('boom');
      },
      extract: () => {
        throw new Error('boom');
      },
      fields: () => ['x'],
    };
    const p = new CompositePropagator({
      propagators: [broken, new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    });
    const carrier: Record<string, string> = {};
    p.inject(contextWithSpan(), carrier, api.defaultTextMapSetter);
    assert.equal(carrier['traceparent'], `00-${TRACE}-${SPAN}-01`);
    assert.deepEqual(p.fields(), ['x', 'traceparent', 'tracestate', 'baggage']);
  });
});

describe('inject into a setHeader carrier', () => {
  it('removes a tracestate left from before when the context has none', () => {
    const headers = new Map<string, string>([['tracestate', 'old=1']]);
    const carrier = {
      setHeader: (name: string, value: string) => void headers.set(name, value),
      removeHeader: (name: string) => void headers.delete(name),
    };
    inject(carrier, contextWithSpan(TraceState.parse('new=2')!));
    assert.equal(headers.get('tracestate'), 'new=2');
    inject(carrier, contextWithSpan());
    assert.deepEqual([...headers], [['traceparent', `00-${TRACE}-${SPAN}-01`]]);
  });
});

describe('OTEL_EXPORTER_OTLP_PROTOCOL', () => {
  it('names the transport, the TRACES_ variable first', () => {
    assert.equal(otlpProtocolFromEnv({}), undefined);
    assert.deepEqual(otlpProtocolFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'GRPC' }), {
      protocol: 'grpc',
      source: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    });
    assert.deepEqual(
      otlpProtocolFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }),
      { protocol: 'http/protobuf', source: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' },
    );
    assert.throws(
      () => otlpProtocolFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' }),
      (e: unknown) =>
        e instanceof OtlpConfigError &&
        e.problems[0] === 'OTEL_EXPORTER_OTLP_PROTOCOL: must be one of grpc, http/protobuf, http/json, got "udp"',
    );
  });

  it('the gRPC exporter refuses an environment asking for OTLP/HTTP, naming the variable', () => {
    assert.equal(resolveOtlpConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).endpoint, 'http://localhost:4317');
    assert.throws(
      () => resolveOtlpConfig({}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }),
      (e: unknown) =>
        e instanceof OtlpConfigError &&
        e.problems[0]!.startsWith(
          'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json" asks for OTLP/HTTP, but this is the OTLP/gRPC exporter',
        ),
    );
  });
});

describe('resource detection', () => {
  it('finds what OpenTelemetry JS host, os and process detectors find, for the attributes it shares', async () => {
    const ours = detectResourceAttributes();
    const theirs: Record<string, unknown> = {};
    for (const detector of [hostDetector, osDetector, processDetector]) {
      const attributes = detector.detect().attributes ?? {};
      for (const [k, v] of Object.entries(attributes)) theirs[k] = await v;
    }
    for (const key of [
      'host.name',
      'host.arch',
      'os.type',
      'process.pid',
      'process.runtime.name',
      'process.runtime.version',
    ]) {
      assert.equal(ours[key], theirs[key], key);
    }
  });

  it('each detector is optional: OTEL_NODE_RESOURCE_DETECTORS or the option chooses', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    assert.deepEqual(resourceDetectorsFromEnv({}, warn), ['host', 'os', 'process']);
    assert.deepEqual(resourceDetectorsFromEnv({ OTEL_NODE_RESOURCE_DETECTORS: 'env,os' }, warn), ['os']);
    assert.deepEqual(resourceDetectorsFromEnv({ OTEL_NODE_RESOURCE_DETECTORS: 'none' }, warn), []);
    assert.deepEqual(resourceDetectorsFromEnv({ OTEL_NODE_RESOURCE_DETECTORS: 'all,gcp' }, warn), [
      'host',
      'os',
      'process',
    ]);
    assert.deepEqual(warnings, [
      'OTEL_NODE_RESOURCE_DETECTORS: unknown detector "gcp" ignored (known: env, host, os, process, all, none)',
    ]);
    assert.deepEqual(Object.keys(detectResourceAttributes(['os'])), ['os.type']);
    const resource = defaultResource({
      env: { OTEL_NODE_RESOURCE_DETECTORS: 'host', OTEL_RESOURCE_ATTRIBUTES: 'host.name=override' },
    });
    assert.equal(resource.attributes['host.name'], 'override');
    assert.equal(resource.attributes['os.type'], undefined);
    assert.equal(resource.attributes['telemetry.sdk.version'], ZEROTEL_VERSION);
  });

  it('telemetry.sdk.version is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(defaultResource({ env: {} }).attributes['telemetry.sdk.version'], pkg.version);
  });

  it('a resource may carry a schema URL', () => {
    assert.equal(
      defaultResource({ env: {}, schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' }).schemaUrl,
      'https://opentelemetry.io/schemas/1.24.0',
    );
    assert.equal(defaultResource({ env: {} }).schemaUrl, undefined);
  });
});
