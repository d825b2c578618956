/**
 * Two workers racing for one environment: two pushes to one service, the second as soon as the
 * first has built (any sooner and it would supersede the first), so the first's slow rollout and
 * the second's deploy meet on two worker processes; their deploys never overlap, and the older
 * commit never goes out after the newer one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

describe('two workers, one environment', { timeout: 300_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ services: 1 });
    c.startWorker();
    c.startWorker();
  });
  after(async () => c?.close());

  it('deploys one at a time, never older over newer', async () => {
    const [service] = c.services;
    const older = await c.push(service!, 'Older', { startSeconds: 8 });
    await c.until(older.id, 'its build passed', (b) => b.state === 'passed', 180_000);
    const newer = await c.push(service!, 'Newer', { startSeconds: 2 });
    const [a, b] = await Promise.all([c.settled(older.id, 180_000), c.settled(newer.id, 180_000)]);
    assert.equal(a.state, 'passed', a.detail);
    assert.equal(b.state, 'passed', b.detail);
    const [da, db] = [a.deploys[0]!, b.deploys[0]!];
    assert.equal(db.state, 'succeeded', db.detail);
    assert.ok(da.state === 'succeeded' || da.state === 'skipped', `older: ${da.state} ${da.detail}`);
    // Never at once: one rollout ended before the other started (a skip by the fence runs no rollout).
    if (da.state === 'succeeded') {
      assert.ok(da.finishedAt! <= db.startedAt!, `older deployed ${da.startedAt}–${da.finishedAt}, newer ${db.startedAt}–${db.finishedAt}: they overlap or the older went last`);
    } else {
      assert.match(da.detail ?? '', /newer .* is already deployed/);
    }
    assert.match((await c.answer(service!)) ?? '', /Newer/);
    for (const { sha } of [older, newer]) await c.finalStatus(sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses), []);
  });
});
