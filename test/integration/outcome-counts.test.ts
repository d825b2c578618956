import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { SourceEvent } from '../../src/core/source-event.ts';
import { withOutcomeCounts } from '../../src/metrics/count-outcomes-store.ts';
import { createOutcomeCounts } from '../../src/metrics/outcome-counts.ts';
import { createServerMetrics, type ServerMetrics } from '../../src/metrics/server-metrics.ts';
import { createEnqueuer } from '../../src/queue/queues.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { parsePrometheusText } from '../support/prometheus-text.ts';
import { testEnv } from '../support/env.ts';

const EVENT: SourceEvent = { kind: 'push', deliveryId: 'd-1', repository: 'acme/web', cloneUrl: 'https://github.com/acme/web.git', sha: 'a'.repeat(40), branch: 'main', message: 'm', author: 'ada' };

/**
 * Outcomes are counted by whichever process writes them (a worker's connection) and read by the
 * server (another connection) when scraped: the two share nothing but Redis.
 */
describe('build and deploy outcomes counted in Redis, read by the server', () => {
  const prefix = `counts-${randomUUID()}`;
  let workerRedis: Redis;
  let serverRedis: Redis;
  let metrics: ServerMetrics;
  const errors: unknown[] = [];
  before(() => {
    workerRedis = new Redis(testEnv().redisUrl);
    serverRedis = new Redis(testEnv().redisUrl);
    metrics = createServerMetrics({ redis: serverRedis, queuePrefix: `${prefix}:queue`, counts: createOutcomeCounts(serverRedis, prefix) });
  });
  after(async () => {
    await metrics?.close();
    const keys = await workerRedis.keys(`${prefix}:*`);
    if (keys.length) await workerRedis.del(...keys);
    workerRedis?.disconnect();
    serverRedis?.disconnect();
  });
  const store = () => withOutcomeCounts(createRedisBuildStore(workerRedis, prefix), createOutcomeCounts(workerRedis, prefix), (err) => errors.push(err));
  const scrape = async () => parsePrometheusText((await metrics.scrape()).text);

  it('counts a build once when it reaches an outcome, however often the outcome is written', async () => {
    const s = store();
    const b = await s.create('web', EVENT);
    await s.update(b.id, (x) => Object.assign(x, { state: 'running', startedAt: 1_000 }));
    assert.equal((await scrape()).find('slipway_builds_total').length, 0, 'running is not an outcome');
    const finish = (x: typeof b) => {
      x.stages[0] = { name: 'clone', state: 'passed', startedAt: 1_000, finishedAt: 3_000 };
      x.stages[1] = { name: 'build', state: 'failed', startedAt: 3_000, finishedAt: 45_000 };
      Object.assign(x, { state: 'failed', finishedAt: 45_000 });
    };
    await s.update(b.id, finish);
    await s.update(b.id, finish); // settled again (a retried job, the reconciler)
    const m = await scrape();
    assert.equal(m.value('slipway_builds_total', { service: 'web', outcome: 'failed' }), 1);
    assert.equal(m.value('slipway_build_stage_duration_seconds_count', { stage: 'clone', outcome: 'passed' }), 1);
    assert.equal(m.value('slipway_build_stage_duration_seconds_sum', { stage: 'clone', outcome: 'passed' }), 2);
    const build = (le: string) => m.value('slipway_build_stage_duration_seconds_bucket', { stage: 'build', outcome: 'failed', le });
    assert.deepEqual(['30', '60', '+Inf'].map(build), [0, 1, 1], '42 s falls in the 60 s bucket and above');
    assert.equal(m.find('slipway_build_stage_duration_seconds_count', { stage: 'test' }).length, 0, 'a stage that never ran is not observed');
    assert.deepEqual(errors, []);
  });

  it('counts each deploy once by outcome, with its rollout duration by scheduler', async () => {
    const s = store();
    const b = await s.create('web', { ...EVENT, deliveryId: 'd-2' });
    const { deploy } = await s.addDeploy(b.id, { environment: 'production', scheduler: 'docker' });
    await s.setDeploy(b.id, { ...deploy, state: 'running', startedAt: 10_000 });
    const done = { ...deploy, state: 'rolled_back' as const, startedAt: 10_000, finishedAt: 17_500 };
    await s.setDeploy(b.id, done);
    await s.setDeploy(b.id, done);
    const m = await scrape();
    assert.equal(m.value('slipway_deploys_total', { service: 'web', environment: 'production', outcome: 'rolled_back' }), 1);
    assert.equal(m.value('slipway_deploy_rollout_duration_seconds_sum', { scheduler: 'docker', outcome: 'rolled_back' }), 7.5);
    assert.equal(m.value('slipway_deploy_rollout_duration_seconds_bucket', { scheduler: 'docker', outcome: 'rolled_back', le: '5' }), 0);
    assert.equal(m.value('slipway_deploy_rollout_duration_seconds_bucket', { scheduler: 'docker', outcome: 'rolled_back', le: '10' }), 1);
  });

  it('reads waiting jobs from BullMQ when scraped', async () => {
    const enqueuer = createEnqueuer(workerRedis, `${prefix}:queue`);
    try {
      assert.equal((await scrape()).value('slipway_queue_jobs', { queue: 'build', state: 'waiting' }), 0);
      await enqueuer.enqueueBuild({ buildId: '41' });
      await enqueuer.enqueueBuild({ buildId: '42' });
      const m = await scrape();
      assert.equal(m.value('slipway_queue_jobs', { queue: 'build', state: 'waiting' }), 2);
      assert.equal(m.value('slipway_queue_jobs', { queue: 'build', state: 'active' }), 0);
      assert.equal(m.value('slipway_queue_jobs', { queue: 'deploy', state: 'waiting' }), 0);
    } finally {
      await enqueuer.close();
    }
  });
});
