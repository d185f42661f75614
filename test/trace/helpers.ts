import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Context } from '../../lib/trace/context.js';
import type { ExportResult, SpanData, SpanExporter } from '../../lib/trace/span-data.js';
import type { Span, SpanProcessor } from '../../lib/trace/span.js';
import { AlwaysOnSampler, type Sampler } from '../../lib/trace/sampler.js';
import { TracerProvider, type TracerProviderOptions } from '../../lib/trace/tracer.js';
import type { SpanLimits } from '../../lib/trace/attributes.js';

/** Keeps every started and ended span, in order. */
export class RecordingProcessor implements SpanProcessor {
  readonly started: Span[] = [];
  readonly parents: Context[] = [];
  readonly ended: SpanData[] = [];

  onStart(span: Span, parentContext: Context): void {
    this.started.push(span);
    this.parents.push(parentContext);
  }
  onEnd(span: SpanData): void {
    this.ended.push(span);
  }
  forceFlush(): Promise<boolean> {
    return Promise.resolve(true);
  }
  shutdown(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

/** A provider with an always-on sampler recording into a fresh processor. */
export function setup(options: { sampler?: Sampler; spanLimits?: Partial<SpanLimits> } & TracerProviderOptions = {}): {
  provider: TracerProvider;
  processor: RecordingProcessor;
} {
  const processor = new RecordingProcessor();
  const provider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    ...options,
    spanProcessors: [processor],
  });
  return { provider, processor };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `condition()` holds, polling every few milliseconds; rejects after `limitMs`. */
export async function until(condition: () => boolean, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error('condition not met in time');
    await sleep(2);
  }
}

/** A fake span exporter: records batches, and lets a test decide when and how each export settles. */
export class FakeExporter implements SpanExporter {
  readonly batches: (readonly SpanData[])[] = [];
  inFlight = 0;
  maxInFlight = 0;
  shutdownCalls = 0;
  /** Decides each export's result; default: success at once. */
  respond: (spans: readonly SpanData[]) => Promise<ExportResult> = () => Promise.resolve({ kind: 'success' });
  shutdownImpl: () => Promise<void> = () => Promise.resolve();

  export(spans: readonly SpanData[]): Promise<ExportResult> {
    this.batches.push(spans);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = (): void => {
      this.inFlight--;
    };
    return this.respond(spans).then(
      (result) => {
        done();
        return result;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
  }

  shutdown(): Promise<void> {
    this.shutdownCalls++;
    return this.shutdownImpl();
  }

  get spanCount(): number {
    return this.batches.reduce((n, b) => n + b.length, 0);
  }
}

/**
 * Runs `script` (TypeScript or CommonJS) in a child `node --import tsx` from the repository root and
 * resolves with the JSON of the last line it prints; rejects with its stderr if it fails or takes
 * longer than `timeoutMs` (it is then killed).
 */
export function runJsonChild<T>(script: string, args: readonly string[], timeoutMs = 120_000): Promise<T> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} timed out: ${err}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited with ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`${script} printed no JSON line: ${out} ${err}`));
      }
    });
  });
}
