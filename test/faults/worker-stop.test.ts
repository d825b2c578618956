/**
 * SIGTERM to a worker in the middle of a long build: the worker stops at once (it does not wait the
 * build out), the build goes back to the queue, and another worker builds, tests and deploys it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

describe('a worker stopped mid-build', { timeout: 300_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ services: 1 });
  });
  after(async () => c?.close());

  it('hands the build back on SIGTERM, and another worker finishes it', async (t) => {
    const [service] = c.services;
    const first = c.startWorker();
    const { id, sha } = await c.push(service!, 'Handed back on SIGTERM', { buildSeconds: 20 });
    await c.until(id, 'the build stage', (b) => b.stages.some((s) => s.name === 'build' && s.state === 'running'), 90_000);
    const stopping = Date.now();
    await Promise.race([
      first.kill('SIGTERM'),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`the worker did not exit within 15 s of SIGTERM:\n${first.output.slice(-10).join('\n')}`)), 15_000)),
    ]);
    t.diagnostic(`the worker exited ${Date.now() - stopping} ms after SIGTERM`);
    assert.match(await c.log(id), /the worker building it was stopped; it is built again — will retry/);
    c.startWorker();
    const done = await c.settled(id, 180_000);
    assert.equal(done.state, 'passed', done.detail);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded']);
    assert.match((await c.answer(service!)) ?? '', /Handed back on SIGTERM/);
    await c.finalStatus(sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
  });
});
