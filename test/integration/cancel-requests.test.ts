/**
 * Cancel requests on real Redis and BullMQ: a request and the build job's seal decide a build's
 * outcome once (whichever comes first, never both), a request reaches the process running the
 * build as an abort, and a cancelled build that is still on the queue is taken off it and never
 * starts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { CommitStatus } from '../../src/core/ports/status-reporter.ts';
import type { SourceEvent } from '../../src/core/source-event.ts';
import type { BuildDeps } from '../../src/pipeline/deps.ts';
import { cancelBuild } from '../../src/pipeline/cancel-build.ts';
import { runBuild } from '../../src/pipeline/run-build.ts';
import { createEnqueuer } from '../../src/queue/queues.ts';
import { createCancelWatch } from '../../src/store/cancel-watch.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createRedisCancelRequests } from '../../src/store/redis-cancel-requests.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
const logger = pino({ level: 'silent' });
after(async () => void (await redis.quit()));

function pushEvent(): SourceEvent {
  return { kind: 'push', deliveryId: randomUUID(), repository: 'acme/web', cloneUrl: 'file:///srv/git/web.git', sha: 'c'.repeat(40), branch: 'main' };
}

function setup() {
  const prefix = `cancel-${randomUUID()}`;
  const store = createRedisBuildStore(redis, prefix);
  const cancels = createRedisCancelRequests(redis, prefix);
  const enqueuer = createEnqueuer(redis, `${prefix}:queue`);
  const statuses: CommitStatus[] = [];
  const reporter = { report: async (_repo: string, _sha: string, s: CommitStatus) => void statuses.push(s) };
  const cancelDeps = { store, statuses: reporter, publicUrl: 'http://slipway', cancels, withdraw: (id: string) => enqueuer.withdrawBuild(id) };
  return { prefix, store, cancels, enqueuer, statuses, reporter, cancelDeps };
}

describe('cancel requests', () => {
  it('a request before the seal wins: the build must end cancelled, and asking again keeps the first reason', async () => {
    const { cancels } = setup();
    assert.deepEqual(await cancels.request('1', 'Cancelled first'), { kind: 'requested' });
    assert.deepEqual(await cancels.request('1', 'Cancelled second'), { kind: 'already', reason: 'Cancelled first' });
    assert.equal(await cancels.pending('1'), 'Cancelled first');
    assert.equal(await cancels.seal('1'), 'Cancelled first');
  });

  it('a seal before the request wins: the request is refused and nothing is pending', async () => {
    const { cancels } = setup();
    assert.equal(await cancels.seal('1'), undefined);
    assert.equal(await cancels.seal('1'), undefined, 'sealing twice is the same seal');
    assert.deepEqual(await cancels.request('1', 'Cancelled'), { kind: 'sealed' });
    assert.equal(await cancels.pending('1'), undefined);
  });

  it('when a request and a seal race, exactly one of them wins, every time', async () => {
    const { cancels } = setup();
    const ids = Array.from({ length: 60 }, (_, i) => String(i + 1));
    const outcomes = await Promise.all(ids.map(async (id) => {
      const [claim, sealed] = await Promise.all([cancels.request(id, `stop ${id}`), cancels.seal(id)]);
      return { claim: claim.kind, sealed };
    }));
    for (const [i, o] of outcomes.entries()) {
      if (o.claim === 'requested') assert.equal(o.sealed, `stop ${i + 1}`, 'the request came first: the seal reports it');
      else assert.deepEqual(o, { claim: 'sealed', sealed: undefined }, 'the seal came first: the request is refused');
    }
  });

  it('reaches the process running the build as an abort with the reason, by message or by polling', async () => {
    const { prefix, cancels } = setup();
    const elsewhere = redis.duplicate(); // another process's connection
    const other = createRedisCancelRequests(elsewhere, prefix);
    const watch = createCancelWatch(redis, prefix, cancels, logger, 200);
    try {
      const running = watch.watch('7');
      const bystander = watch.watch('8');
      await new Promise((r) => setTimeout(r, 50)); // not needed for correctness: the poll would find it too
      await other.request('7', 'Superseded by 1a2b3c4 (build 9)');
      await once(running.signal, 'abort');
      assert.ok(isSlipwayError(running.signal.reason, 'BUILD_CANCELLED'));
      assert.equal((running.signal.reason as Error).message, 'Superseded by 1a2b3c4 (build 9)');
      assert.equal(bystander.signal.aborted, false, 'another build goes on');

      // Asked before this process started watching (no message will come): the poll finds it.
      await other.request('10', 'Cancelled early');
      const late = watch.watch('10');
      await once(late.signal, 'abort');
      assert.equal((late.signal.reason as Error).message, 'Cancelled early');
      for (const w of [running, bystander, late]) w.stop();
    } finally {
      await watch.close();
      elsewhere.disconnect();
    }
  });
});

describe('cancelBuild', () => {
  it('takes a queued build off the queue and ends it cancelled with an error status', async () => {
    const { store, enqueuer, statuses, cancelDeps, prefix } = setup();
    try {
      const build = await store.create('web', pushEvent());
      await enqueuer.enqueueBuild({ buildId: build.id });
      const result = await cancelBuild(cancelDeps, build.id, 'Cancelled with slipway cancel');
      assert.ok('cancelled' in result, JSON.stringify(result));
      assert.equal(result.cancelled.state, 'cancelled');
      assert.equal(result.cancelled.detail, 'Cancelled with slipway cancel');
      assert.deepEqual(await enqueuer.buildJob(build.id), { state: 'missing' });
      assert.deepEqual(statuses.map((s) => [s.state, s.description]), [['error', 'Cancelled with slipway cancel']]);
      assert.deepEqual(await store.unsettled(Date.now() + 1000, 10), [], 'final: the reconciler leaves it alone');
      assert.equal(await redis.exists(`${prefix}:queue:build:build-${build.id}`), 0);

      const again = await cancelBuild(cancelDeps, build.id, 'Cancelled again');
      assert.ok('refused' in again && again.reason === 'final', JSON.stringify(again));
      assert.match(again.refused, /already ended cancelled \(Cancelled with slipway cancel\)/);
      assert.deepEqual(await cancelBuild(cancelDeps, '424242', 'x'), { refused: 'no build 424242', reason: 'unknown_build' });
    } finally {
      await enqueuer.close();
    }
  });

  it('a build whose job a worker already took never starts once cancelled: the worker checks on pickup', async () => {
    const { store, cancels, reporter, statuses, enqueuer } = setup();
    await enqueuer.close();
    const build = await store.create('web', pushEvent());
    await cancels.request(build.id, 'Superseded by ddddddd (build 2)');
    const untouched = () => assert.fail('a cancelled build must not start');
    const deps: BuildDeps = {
      pipelines: [{ service: 'web', repository: 'acme/web', dockerfile: 'Dockerfile', deploy: [], file: 'web.yml' }],
      store,
      statuses: reporter,
      publicUrl: 'http://slipway',
      logger,
      source: { fetch: untouched },
      builder: { build: untouched },
      tests: { run: untouched },
      pusher: { push: untouched },
      registry: '127.0.0.1:5000',
      enqueueDeploy: untouched,
      timeoutMs: 60_000,
      cancels,
    } as unknown as BuildDeps;
    const done = await runBuild(deps, build.id, { final: false });
    assert.equal(done.state, 'cancelled');
    assert.equal(done.detail, 'Superseded by ddddddd (build 2)');
    assert.equal(done.startedAt, undefined);
    assert.deepEqual(done.deploys, []);
    assert.deepEqual(statuses.map((s) => [s.state, s.description]), [['error', 'Superseded by ddddddd (build 2)']]);
  });
});
