/**
 * Workers killed with SIGKILL mid-build and mid-deploy, twice, so BullMQ gives up on the job:
 * the build or deploy still reaches a final state (error, saying why) within the job lease plus a
 * bounded grace, with exactly one final status per context and nothing deployed by the dead job.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Build } from '../../src/core/build.ts';
import { FINAL_STATUS_MS, startCluster, statusProblems, type Cluster } from './cluster.ts';

/** When the build stage (or the deploy) last started running, if it is running now. */
const buildStageSince = (b: Build) => b.stages.find((s) => s.name === 'build' && s.state === 'running')?.startedAt;
const deploySince = (b: Build) => b.deploys.find((d) => d.state === 'running')?.startedAt;

describe('workers killed mid-work', { timeout: 400_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ services: 2 });
  });
  after(async () => c?.close());
  afterEach(async () => c.killWorkers());

  it('a build whose worker is SIGKILLed twice ends error, with one final status and no deploy', async () => {
    const [service] = c.services;
    let worker = c.startWorker();
    const { id, sha } = await c.push(service!, 'Killed twice while building', { buildSeconds: 60 });
    let since = buildStageSince(await c.until(id, 'the build stage', (b) => buildStageSince(b) !== undefined, 90_000))!;
    await worker.kill();
    // The job comes back once the dead worker's lease lapses: another worker starts the build again.
    worker = c.startWorker();
    since = buildStageSince(await c.until(id, 'the build stage run again', (b) => (buildStageSince(b) ?? 0) > since, 90_000))!;
    await worker.kill();
    c.startWorker();
    const done = await c.settled(id, 90_000);
    assert.equal(done.state, 'error');
    assert.match(done.detail ?? '', /could not finish the build/);
    assert.deepEqual(done.deploys, []);
    const context = `slipway/${service!.name}`;
    assert.equal((await c.finalStatus(sha, context)).state, 'error');
    assert.deepEqual(statusProblems(c.statuses(sha, context)), []);
    assert.equal(await c.answer(service!), undefined, 'nothing was deployed');
  });

  it('a deploy whose worker is SIGKILLed twice ends error with one final status and one Slack message; the next push deploys', async () => {
    const [, service] = c.services;
    let worker = c.startWorker();
    const { id, sha } = await c.push(service!, 'Slow to start', { startSeconds: 60 });
    let since = deploySince(await c.until(id, 'the rollout', (b) => deploySince(b) !== undefined, 120_000))!;
    await worker.kill();
    worker = c.startWorker();
    since = deploySince(await c.until(id, 'the rollout run again', (b) => (deploySince(b) ?? 0) > since, 90_000))!;
    await worker.kill();
    c.startWorker();
    const done = await c.settled(id, 90_000);
    assert.equal(done.state, 'passed');
    assert.deepEqual(done.deploys.map((d) => d.state), ['error'], JSON.stringify(done.deploys));
    assert.match(done.deploys[0]?.detail ?? '', /could not finish the deploy/);
    const context = `slipway/${service!.name}/production`;
    assert.equal((await c.finalStatus(sha, context)).state, 'error');
    assert.deepEqual(statusProblems([...c.statuses(sha, context), ...c.statuses(sha, `slipway/${service!.name}`)]), []);
    // One GitHub deployment however often the job ran (its id is kept), ending in error. Its gate
    // lease is not the commit status's: a worker killed mid-post may hold this one alone.
    await c.github.waitForDeployments((ds) => ds.some((d) => d.sha === sha && d.statuses.at(-1)?.state === 'error'), FINAL_STATUS_MS);
    const deployments = c.github.deployments.filter((d) => d.sha === sha);
    assert.equal(deployments.length, 1, JSON.stringify(deployments));
    assert.match(deployments[0]!.statuses.map((s) => s.state).join(' → '), /^(in_progress → )*error$/);
    await c.slack.waitFor((m) => m.some((x) => x.text.includes(sha.slice(0, 7))), 10_000);
    assert.equal(c.slack.messages.filter((m) => m.text.includes(sha.slice(0, 7))).length, 1);

    const next = await c.push(service!, 'Fixed');
    const fixed = await c.settled(next.id, 120_000);
    assert.deepEqual(fixed.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(fixed.deploys));
    assert.match((await c.answer(service!)) ?? '', /Fixed/);
  });
});
