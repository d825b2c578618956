/**
 * The registry goes away while a build runs (a registry of the test's own, stopped and started
 * again on the same port and data): the push fails as unreachable, the build is retried with
 * backoff, and once the registry is back it passes, pushes and deploys, with statuses in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stopProc, type Proc } from '../../scripts/local-services/processes.ts';
import { startRegistry } from '../../scripts/local-services/registry.ts';
import { freePort } from '../support/free-port.ts';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

describe('registry down mid-build', { timeout: 300_000 }, () => {
  let c: Cluster;
  const root = mkdtempSync(join(tmpdir(), 'slipway-fault-registry-'));
  const procs: Proc[] = [];
  let port = 0;
  const quiet = () => undefined;
  before(async () => {
    port = await freePort();
    const registry = await startRegistry(root, 'registry', port, procs, quiet);
    c = await startCluster({ services: 1, env: { SLIPWAY_REGISTRY: registry } });
    c.startWorker();
  });
  after(async () => {
    await c?.close();
    for (const p of procs) await stopProc(p, 2000, quiet);
    rmSync(root, { recursive: true, force: true });
  });

  it('retries the build while the registry is unreachable, then pushes and deploys', async () => {
    const [service] = c.services;
    const { id, sha } = await c.push(service!, 'Pushed once the registry is back', { buildSeconds: 2 });
    await c.until(id, 'the build stage', (b) => b.stages.some((s) => s.name === 'build' && s.state === 'running'), 60_000);
    await stopProc(procs.pop()!, 5000, quiet);
    const until = Date.now() + 60_000;
    while (!/will retry/.test(await c.log(id))) {
      if (Date.now() > until) throw new Error(`no retry in the log:\n${await c.log(id)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(await c.log(id), /registry|connection refused/i);
    await startRegistry(root, 'registry', port, procs, quiet);
    const done = await c.settled(id, 120_000);
    assert.equal(done.state, 'passed', done.detail);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded']);
    assert.match((await c.answer(service!)) ?? '', /Pushed once the registry is back/);
    await c.finalStatus(sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
  });
});
