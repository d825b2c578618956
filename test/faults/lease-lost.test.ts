/**
 * A deploy whose lease on its target is lost mid-rollout (here: taken by someone else, as after
 * Redis lost the key) stops instead of racing the other deploy, and ends error saying why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

describe('deploy lease lost mid-rollout', { timeout: 300_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ services: 1 });
    c.startWorker();
  });
  after(async () => c?.close());

  it('stops the rollout and records the deploy as error', async () => {
    const [service] = c.services;
    const { id, sha } = await c.push(service!, 'Slow to come up', { startSeconds: 60 });
    await c.until(id, 'the rollout', (b) => b.deploys.some((d) => d.state === 'running'), 120_000);
    const redis = new Redis(c.redis.url);
    try {
      // Another holder takes the target, as a second worker would once the lease had lapsed.
      await redis.set(`${c.prefix}:lock:${service!.name}:production`, 'someone-else', 'PX', 60_000);
    } finally {
      await redis.quit();
    }
    const done = await c.settled(id, 30_000);
    assert.deepEqual(done.deploys.map((d) => d.state), ['error'], JSON.stringify(done.deploys));
    assert.match(done.deploys[0]?.detail ?? '', /lost the lease on this deploy target \(another deploy holds it now\)/);
    assert.equal((await c.finalStatus(sha, `slipway/${service!.name}/production`)).state, 'error');
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
  });
});
