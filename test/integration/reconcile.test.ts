/**
 * The reconciler against real Redis and BullMQ: every build and deploy without an outcome has a
 * job that will settle it, whatever died between recording and queueing, or after a job failed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Build, DeployRecord } from '../../src/core/build.ts';
import type { DeployNotice } from '../../src/core/ports/notifier.ts';
import type { CommitStatus } from '../../src/core/ports/status-reporter.ts';
import { reconcile } from '../../src/pipeline/reconcile.ts';
import { BUILD_QUEUE } from '../../src/queue/jobs.ts';
import { createEnqueuer } from '../../src/queue/queues.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import type { SourceEvent } from '../../src/core/source-event.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
after(async () => void (await redis.quit()));

function pushEvent(): SourceEvent {
  return { kind: 'push', deliveryId: randomUUID(), repository: 'acme/web', cloneUrl: 'file:///srv/git/web.git', sha: 'a'.repeat(40), branch: 'main' };
}

function setup() {
  const prefix = `reconcile-${randomUUID()}`;
  const store = createRedisBuildStore(redis, prefix);
  const enqueuer = createEnqueuer(redis, `${prefix}:queue`);
  const statuses: CommitStatus[] = [];
  const notices: DeployNotice[] = [];
  const deploy = (build: Build, d: DeployRecord) => ({ buildId: build.id, environment: d.environment, deployId: d.id });
  const deps = {
    pipelines: [],
    store,
    statuses: { report: async (_repo: string, _sha: string, s: CommitStatus) => void statuses.push(s) },
    publicUrl: 'http://slipway',
    logger: pino({ level: 'silent' }),
    notifier: { notify: async (n: DeployNotice) => void notices.push(n) },
    buildJob: (id: string) => enqueuer.buildJob(id),
    deployJob: (b: Build, d: DeployRecord) => enqueuer.deployJob(deploy(b, d)),
    enqueueBuild: (id: string) => enqueuer.enqueueBuild({ buildId: id }),
    enqueueDeploy: (b: Build, d: DeployRecord) => enqueuer.enqueueDeploy(deploy(b, d)),
  };
  return { prefix, store, enqueuer, statuses, notices, deps };
}

describe('reconcile (real Redis, real BullMQ)', () => {
  it('queues a build that was recorded but never queued (the server died in between), once', async () => {
    const { store, enqueuer, deps } = setup();
    const build = await store.create('web', pushEvent());
    assert.deepEqual(await reconcile(deps, { graceMs: 60_000 }), { requeued: [], settled: [] }, 'too young: the server may be queueing it now');
    assert.equal((await enqueuer.buildJob(build.id)).state, 'missing');
    assert.deepEqual(await reconcile(deps, { graceMs: 0 }), { requeued: [`build ${build.id}`], settled: [] });
    assert.equal((await enqueuer.buildJob(build.id)).state, 'pending');
    assert.deepEqual(await reconcile(deps, { graceMs: 0 }), { requeued: [], settled: [] }, 'its job now settles it');
    await enqueuer.close();
  });

  it('settles a running build whose job failed for good as error, with its status', async () => {
    const { prefix, store, enqueuer, statuses, deps } = setup();
    const build = await store.create('web', pushEvent());
    await store.update(build.id, (b) => void (b.state = 'running'));
    await enqueuer.enqueueBuild({ buildId: build.id });
    const worker = new Worker(BUILD_QUEUE, async () => { throw new UnrecoverableError('job stalled more than allowable limit'); }, { connection: redis, prefix: `${prefix}:queue` });
    await new Promise((resolve) => worker.once('failed', resolve));
    await worker.close();
    assert.deepEqual(await reconcile(deps, { graceMs: 0 }), { requeued: [], settled: [`build ${build.id}`] });
    const settled = await store.get(build.id);
    assert.equal(settled?.state, 'error');
    assert.match(settled?.detail ?? '', /its job failed: job stalled more than allowable limit/);
    assert.deepEqual(statuses.map((s) => s.state), ['error']);
    assert.deepEqual(await reconcile(deps, { graceMs: 0 }), { requeued: [], settled: [] }, 'settled once');
    await enqueuer.close();
  });

  it('queues a deploy recorded but never queued, and settles one whose job is gone, with a notice', async () => {
    const { store, enqueuer, notices, deps } = setup();
    const build = await store.create('web', pushEvent());
    await store.update(build.id, (b) => void (b.state = 'passed'));
    const { deploy: queued } = await store.addDeploy(build.id, { environment: 'production', scheduler: 'docker' });
    const { deploy: lost } = await store.addDeploy(build.id, { environment: 'staging', scheduler: 'docker' });
    await store.setDeploy(build.id, { ...lost, state: 'running', startedAt: Date.now() });
    const done = await reconcile(deps, { graceMs: 0 });
    assert.deepEqual(done, { requeued: [`deploy ${queued.id} of build ${build.id}`], settled: [`deploy ${lost.id} of build ${build.id}`] });
    assert.equal((await enqueuer.deployJob({ buildId: build.id, environment: 'production', deployId: queued.id })).state, 'pending');
    const after = await store.get(build.id);
    assert.deepEqual(after?.deploys.map((d) => [d.environment, d.state]), [['production', 'queued'], ['staging', 'error']]);
    assert.deepEqual(notices.map((n) => [n.environment, n.outcome]), [['staging', 'error']]);
    await enqueuer.close();
  });

  it('forgets records that reached an outcome', async () => {
    const { store, enqueuer, deps } = setup();
    const build = await store.create('web', pushEvent());
    await store.update(build.id, (b) => void (b.state = 'failed'));
    assert.deepEqual(await store.unsettled(Date.now(), 10), []);
    assert.deepEqual(await reconcile(deps, { graceMs: 0 }), { requeued: [], settled: [] });
    await enqueuer.close();
  });
});
