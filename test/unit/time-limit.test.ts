import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSlipwayError, SlipwayError } from '../../src/core/errors.ts';
import { timedOut, timeLimit } from '../../src/pipeline/time-limit.ts';

/** The timers this process has running now (a time limit holds one while its clock runs). */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

const readings: [ms: number, text: string][] = [
  [1_800_000, 'Timed out after 30m (SLIPWAY_BUILD_TIMEOUT)'],
  [5_400_000, 'Timed out after 1h30m (SLIPWAY_BUILD_TIMEOUT)'],
  [3_600_000, 'Timed out after 1h (SLIPWAY_BUILD_TIMEOUT)'],
  [90_000, 'Timed out after 1m30s (SLIPWAY_BUILD_TIMEOUT)'],
  [4_000, 'Timed out after 4s (SLIPWAY_BUILD_TIMEOUT)'],
  [2_500, 'Timed out after 2.5s (SLIPWAY_BUILD_TIMEOUT)'],
];

describe('timedOut', () => {
  for (const [ms, text] of readings) {
    it(`${ms} ms → ${text}`, () => {
      const err = timedOut(ms);
      assert.equal(err.message, text);
      assert.equal(err.code, 'BUILD_TIMED_OUT');
      assert.equal(err.retryable, false);
    });
  }
});

describe('timeLimit', () => {
  it('aborts its signal with BUILD_TIMED_OUT when the time is up', async () => {
    const limit = timeLimit(20);
    const reason = await new Promise((resolve) => limit.signal.addEventListener('abort', () => resolve(limit.signal.reason)));
    assert.ok(isSlipwayError(reason, 'BUILD_TIMED_OUT'));
    limit.clear();
  });

  it('passes on an outer stop with its own reason', () => {
    const outer = new AbortController();
    const limit = timeLimit(60_000, outer.signal);
    outer.abort(new SlipwayError('ABORTED', 'Cancelled by ada'));
    assert.equal((limit.signal.reason as Error).message, 'Cancelled by ada');
    limit.clear();
  });

  it('settles work that ignores the stop once the grace is over', async () => {
    const limit = timeLimit(10, undefined, 50);
    const started = Date.now();
    await assert.rejects(limit.run(() => new Promise(() => undefined)), (err: unknown) => isSlipwayError(err, 'BUILD_TIMED_OUT'));
    assert.ok(Date.now() - started < 5_000);
    limit.clear();
  });

  it('lets work that ends in time keep its result, and clear stops the clock', async () => {
    const before = timers();
    const limit = timeLimit(30);
    assert.equal(await limit.run(async () => 'done'), 'done');
    limit.clear();
    assert.equal(timers(), before, 'no clock left that could still abort it');
    assert.equal(limit.signal.aborted, false);
  });

  it('leaves no timer behind when the outer signal aborts after the work is over (a worker stopping after its builds)', async () => {
    const worker = new AbortController();
    const before = timers();
    const limit = timeLimit(60_000, worker.signal, 30_000);
    assert.equal(await limit.run(async () => 'built'), 'built');
    limit.clear();
    worker.abort(new SlipwayError('WORKER_STOPPING', 'the worker was stopped'));
    assert.equal(timers(), before, 'a grace timer for a build that is over would keep the stopped process alive');
  });
});
