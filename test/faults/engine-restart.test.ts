/**
 * The Docker engine restarts while a build runs (an engine of the test's own, stopped and started
 * again on the same data root): the broken build is retried once the engine is back, and passes,
 * pushes and deploys on it, with statuses in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ensureBusyboxImage } from '../../scripts/local-services/busybox-image.ts';
import { startDockerd, stopDockerd, type DockerDaemon } from '../../scripts/local-services/docker-engine.ts';
import type { Proc } from '../../scripts/local-services/processes.ts';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

describe('Docker engine restarted mid-build', { timeout: 300_000 }, () => {
  let c: Cluster;
  const root = mkdtempSync('/tmp/sw-engine-'); // short: the engine's socket path must fit 107 bytes
  const procs: Proc[] = [];
  let engine: DockerDaemon;
  const quiet = () => undefined;
  before(async () => {
    engine = await startDockerd(root, procs, quiet);
    await ensureBusyboxImage(engine.socketPath, root, quiet);
    c = await startCluster({ services: 1, env: { DOCKER_HOST: `unix://${engine.socketPath}` }, docker: `unix://${engine.socketPath}` });
    c.startWorker();
  });
  after(async () => {
    await c?.close();
    if (engine) await stopDockerd(engine, quiet);
    rmSync(root, { recursive: true, force: true });
  });

  it('retries the build the restart broke, then pushes and deploys on the engine', async () => {
    const [service] = c.services;
    const { id, sha } = await c.push(service!, 'Built across an engine restart', { buildSeconds: 5 });
    await c.until(id, 'the build stage', (b) => b.stages.some((s) => s.name === 'build' && s.state === 'running'), 60_000);
    await stopDockerd(engine, quiet);
    engine = await startDockerd(root, procs, quiet);
    const done = await c.settled(id, 180_000);
    assert.equal(done.state, 'passed', done.detail);
    assert.match(await c.log(id), /not reachable|broke off|will retry/);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(done.deploys));
    assert.match((await c.answer(service!)) ?? '', /Built across an engine restart/);
    await c.finalStatus(sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
  });
});
