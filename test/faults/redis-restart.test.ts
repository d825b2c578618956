/**
 * Redis (with AOF, as production runs it) restarted while a build runs and while a deploy rolls
 * out: the work goes on once Redis is back and ends as it would have, with statuses in order and
 * one final status per context.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Build } from '../../src/core/build.ts';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

describe('Redis restarted under running work', { timeout: 300_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ services: 2, jobLease: 20 });
    c.startWorker();
  });
  after(async () => c?.close());

  async function restartWhile(id: string, what: string, during: (b: Build) => boolean): Promise<Build> {
    await c.until(id, what, during, 120_000);
    await c.redis.stop();
    await c.redis.start();
    return c.settled(id, 120_000);
  }

  it('mid-build: the build passes and deploys', async () => {
    const [service] = c.services;
    const { id, sha } = await c.push(service!, 'Through a Redis restart while building', { buildSeconds: 3 });
    const done = await restartWhile(id, 'the build stage', (b) => b.stages.some((s) => s.name === 'build' && s.state === 'running'));
    assert.equal(done.state, 'passed', done.detail);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(done.deploys));
    assert.match((await c.answer(service!)) ?? '', /Through a Redis restart while building/);
    await c.finalStatus(sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
  });

  it('mid-deploy: the rollout finishes and is recorded', async () => {
    const [, service] = c.services;
    const { id, sha } = await c.push(service!, 'Through a Redis restart while deploying', { startSeconds: 3 });
    const done = await restartWhile(id, 'the rollout', (b) => b.deploys.some((d) => d.state === 'running'));
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(done.deploys));
    assert.match((await c.answer(service!)) ?? '', /Through a Redis restart while deploying/);
    await c.finalStatus(sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
    await c.slack.waitFor((m) => m.some((x) => x.text.includes(sha.slice(0, 7))), 10_000);
  });
});
