import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GrpcCode } from '../../lib/otlp/grpc-transport.js';
import {
  Backoff,
  checkRetryPolicy,
  type Clock,
  DEFAULT_RETRY_POLICY,
  isRetryableCode,
  minRetryTimeMs,
  type RetryPolicy,
  systemClock,
  withRetry,
} from '../../lib/otlp/retry.js';

/** A clock whose sleeps take no time: they advance `now` and are recorded. */
function fakeClock(): Clock & { sleeps: number[]; t: number } {
  const clock = {
    t: 0,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

type Result = { kind: 'success' } | { kind: 'failure'; retryable: boolean; retryInfoMs?: number; code: number };

const transient = (code: number = GrpcCode.UNAVAILABLE): Result => ({ kind: 'failure', retryable: true, code });

/** An attempt function replaying `results`, then succeeding; counts its calls. */
function script(...results: Result[]): { attempt: () => Promise<Result>; calls: number } {
  const s = {
    calls: 0,
    attempt: async (): Promise<Result> => results[s.calls++] ?? { kind: 'success' },
  };
  return s;
}

describe('retryable codes (OTLP specification)', () => {
  it('retries exactly the transient codes, and RESOURCE_EXHAUSTED only with RetryInfo', () => {
    const transientCodes = new Set<number>([
      GrpcCode.CANCELLED,
      GrpcCode.DEADLINE_EXCEEDED,
      GrpcCode.ABORTED,
      GrpcCode.OUT_OF_RANGE,
      GrpcCode.UNAVAILABLE,
      GrpcCode.DATA_LOSS,
    ]);
    for (const code of Object.values(GrpcCode)) {
      assert.equal(isRetryableCode(code, false), transientCodes.has(code), `code ${code} without RetryInfo`);
      const withInfo = transientCodes.has(code) || code === GrpcCode.RESOURCE_EXHAUSTED;
      assert.equal(isRetryableCode(code, true), withInfo, `code ${code} with RetryInfo`);
    }
  });
});

describe('Backoff', () => {
  it("uses OpenTelemetry Go's defaults: 5 s initial, x1.5, capped at 30 s", () => {
    assert.deepEqual(
      { ...DEFAULT_RETRY_POLICY },
      {
        enabled: true,
        initialIntervalMs: 5000,
        maxIntervalMs: 30000,
        maxElapsedMs: 60000,
        multiplier: 1.5,
        randomizationFactor: 0.5,
      },
    );
    const middle = new Backoff(DEFAULT_RETRY_POLICY, () => 0.5);
    const sleeps = Array.from({ length: 8 }, () => middle.next());
    assert.deepEqual(sleeps, [5000, 7500, 11250, 16875, 25312.5, 30000, 30000, 30000]);
  });

  it('jitters within +-randomizationFactor of the interval', () => {
    const low = new Backoff(DEFAULT_RETRY_POLICY, () => 0);
    const high = new Backoff(DEFAULT_RETRY_POLICY, () => 0.999999);
    assert.deepEqual([low.next(), low.next()], [2500, 3750]);
    const [a, b] = [high.next(), high.next()];
    assert.ok(a > 7499 && a < 7500, String(a));
    assert.ok(b > 11249 && b < 11250, String(b));
    const random = new Backoff(DEFAULT_RETRY_POLICY);
    for (let i = 0; i < 50; i++) {
      const v = random.next();
      assert.ok(v >= 0.5 * Math.min(5000 * 1.5 ** i, 30000) && v <= 1.5 * Math.min(5000 * 1.5 ** i, 30000));
    }
  });
});

describe('withRetry', () => {
  const policy: RetryPolicy = DEFAULT_RETRY_POLICY;

  it('retries transient failures with growing sleeps until success', async () => {
    const clock = fakeClock();
    const s = script(transient(), transient(GrpcCode.ABORTED));
    const seen: number[] = [];
    const out = await withRetry(s.attempt, { policy, clock, random: () => 0.5, onRetry: (_f, _d, n) => seen.push(n) });
    assert.equal(out.result.kind, 'success');
    assert.equal(out.attempts, 3);
    assert.equal(out.gaveUp, undefined);
    assert.deepEqual(clock.sleeps, [5000, 7500]);
    assert.deepEqual(seen, [2, 3]);
  });

  it('does not retry a permanent failure', async () => {
    const clock = fakeClock();
    const s = script({ kind: 'failure', retryable: false, code: GrpcCode.INVALID_ARGUMENT });
    const out = await withRetry(s.attempt, { policy, clock });
    assert.equal(out.attempts, 1);
    assert.equal(s.calls, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it("waits the server's RetryInfo delay when it is longer than the backoff", async () => {
    const clock = fakeClock();
    const throttled = {
      kind: 'failure',
      retryable: true,
      retryInfoMs: 20_000,
      code: GrpcCode.RESOURCE_EXHAUSTED,
    } as const;
    const out = await withRetry(script(throttled).attempt, { policy, clock, random: () => 0.5 });
    assert.equal(out.result.kind, 'success');
    assert.deepEqual(clock.sleeps, [20_000]);
    // A shorter hint than the backoff: the backoff wins, as in OpenTelemetry Go.
    const clock2 = fakeClock();
    await withRetry(script({ ...throttled, retryInfoMs: 1000 }).attempt, { policy, clock: clock2, random: () => 0.5 });
    assert.deepEqual(clock2.sleeps, [5000]);
  });

  it('never sleeps past the deadline: gives up with the last failure instead', async () => {
    const clock = fakeClock();
    const s = script(transient(), transient(), transient());
    const out = await withRetry(s.attempt, { policy, clock, random: () => 0.5, deadline: 10_000 });
    assert.equal(out.gaveUp, 'deadline');
    assert.equal(out.attempts, 2);
    assert.deepEqual(clock.sleeps, [5000]);
    assert.ok(clock.t <= 10_000);
    assert.deepEqual(out.result, transient());
  });

  it('does not start an attempt when a late wake-up is already past the deadline', async () => {
    const clock = fakeClock();
    const late: Clock = { now: clock.now, sleep: async (ms) => void (clock.t += ms + 5000) };
    const s = script(transient(), transient());
    const out = await withRetry(s.attempt, { policy, clock: late, random: () => 0.5, deadline: 9000 });
    assert.equal(out.gaveUp, 'deadline');
    assert.equal(s.calls, 1);
    assert.deepEqual(out.result, transient());
  });

  it('does not start a retry that would have less than min(250 ms, a tenth of the budget) left', async () => {
    assert.equal(minRetryTimeMs(10_000), 250);
    assert.equal(minRetryTimeMs(1_500), 150);
    // The 5 s sleep would leave 100 ms of a 5.1 s budget: the first failure is reported, not a timeout.
    const clock = fakeClock();
    const s = script(transient(), transient());
    const out = await withRetry(s.attempt, { policy, clock, random: () => 0.5, deadline: 5_100 });
    assert.equal(out.gaveUp, 'deadline');
    assert.equal(s.calls, 1);
    assert.deepEqual(clock.sleeps, []);
    // With 300 ms left after the sleep, the retry is made.
    const clock2 = fakeClock();
    const s2 = script(transient());
    const out2 = await withRetry(s2.attempt, { policy, clock: clock2, random: () => 0.5, deadline: 5_300 });
    assert.equal(out2.attempts, 2);
    assert.equal(out2.result.kind, 'success');
  });

  it('a RetryInfo delay beyond the deadline is not waited at all', async () => {
    const clock = fakeClock();
    const throttled = {
      kind: 'failure',
      retryable: true,
      retryInfoMs: 90_000,
      code: GrpcCode.RESOURCE_EXHAUSTED,
    } as const;
    const out = await withRetry(script(throttled).attempt, { policy, clock, deadline: 10_000 });
    assert.equal(out.gaveUp, 'deadline');
    assert.deepEqual(clock.sleeps, []);
  });

  it('stops at the max elapsed time when no deadline is given', async () => {
    const clock = fakeClock();
    const s = script(...Array.from({ length: 20 }, () => transient()));
    const out = await withRetry(s.attempt, { policy, clock, random: () => 0.5 });
    assert.equal(out.gaveUp, 'deadline');
    // 5 + 7.5 + 11.25 + 16.875 = 40.625 s; the next 25.3 s sleep would end past 60 s.
    assert.deepEqual(clock.sleeps, [5000, 7500, 11250, 16875]);
    assert.equal(out.attempts, 5);
  });

  it('makes one attempt when retries are disabled', async () => {
    const clock = fakeClock();
    const s = script(transient());
    const out = await withRetry(s.attempt, { policy: { ...policy, enabled: false }, clock });
    assert.equal(out.attempts, 1);
    assert.equal(out.result.kind, 'failure');
  });

  it('a cancelled signal ends a backoff sleep at once', { timeout: 10_000 }, async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const timersBefore = timers();
    const controller = new AbortController();
    const s = {
      calls: 0,
      attempt: async (): Promise<Result> => {
        s.calls++;
        // Abort while the (real, hour-long) sleep is pending.
        setImmediate(() => controller.abort());
        return transient();
      },
    };
    const out = await withRetry(s.attempt, {
      policy: { ...policy, initialIntervalMs: 3_600_000, maxIntervalMs: 3_600_000, maxElapsedMs: 0 },
      clock: systemClock,
      signal: controller.signal,
    });
    assert.equal(out.gaveUp, 'cancelled');
    assert.equal(s.calls, 1);
    assert.ok(timers() <= timersBefore, 'the sleep timer was cleared');
  });

  it('an already aborted signal stops before sleeping', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    controller.abort();
    const out = await withRetry(script(transient()).attempt, { policy, clock, signal: controller.signal });
    assert.equal(out.gaveUp, 'cancelled');
    assert.deepEqual(clock.sleeps, []);
  });
});

describe('checkRetryPolicy', () => {
  it('accepts the defaults and reports every bad field at once', () => {
    assert.deepEqual(checkRetryPolicy(DEFAULT_RETRY_POLICY), []);
    const problems = checkRetryPolicy({
      enabled: 'yes' as never,
      initialIntervalMs: 0,
      maxIntervalMs: -1,
      maxElapsedMs: Number.NaN,
      multiplier: 0.5,
      randomizationFactor: 2,
    });
    assert.equal(problems.length, 6, problems.join('\n'));
    for (const key of [
      'enabled',
      'initialIntervalMs',
      'maxIntervalMs',
      'maxElapsedMs',
      'multiplier',
      'randomizationFactor',
    ]) {
      assert.ok(
        problems.some((p) => p.startsWith(`retry.${key}:`)),
        key,
      );
    }
    assert.match(checkRetryPolicy({ initialIntervalMs: 100, maxIntervalMs: 50 })[0] ?? '', /maxIntervalMs.*below/);
  });
});
