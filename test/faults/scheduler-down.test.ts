/**
 * The scheduler becomes unreachable in the middle of a rollout (the Nomad emulator cuts every
 * connection, its cluster going on underneath): the deploy is retried with backoff and, once Nomad
 * answers again, ends with the new release running, statuses in order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNomadEmulator, type NomadEmulator } from '../emulators/nomad.ts';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

describe('scheduler unreachable mid-rollout', { timeout: 300_000 }, () => {
  let c: Cluster;
  let nomad: NomadEmulator;
  before(async () => {
    nomad = await startNomadEmulator();
    c = await startCluster({
      services: 1,
      env: { NOMAD_ADDR: nomad.url },
      deploy: (s) => ({ scheduler: 'nomad', block: `datacenters: [dc1]\ncount: 1\nport: ${s.port}\nhealth_path: /index.html\nupdate: { min_healthy_time: 1, healthy_deadline: 20, progress_deadline: 30 }` }),
    });
    c.startWorker();
  });
  after(async () => {
    await c?.close();
    await nomad?.close();
  });

  it('retries the deploy while Nomad cannot be reached, and it lands once Nomad is back', async () => {
    const [service] = c.services;
    const { id, sha } = await c.push(service!, 'Rolled out across a Nomad outage', { startSeconds: 3 });
    await c.until(id, 'the rollout', (b) => b.deploys.some((d) => d.state === 'running'), 120_000);
    nomad.unreachable(true);
    const until = Date.now() + 60_000;
    while (!/\[production\] .*not reachable.*will retry/.test(await c.log(id))) {
      if (Date.now() > until) throw new Error(`no retry in the log:\n${await c.log(id)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    nomad.unreachable(false);
    const done = await c.settled(id, 180_000);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(done.deploys));
    assert.equal(nomad.runningImage(`${service!.name}-production`), done.image?.digest);
    await c.finalStatus(sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
  });
});
