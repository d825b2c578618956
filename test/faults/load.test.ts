/**
 * A load run: many pushes over many services with three workers (SLIPWAY_LOAD_PUSHES and
 * SLIPWAY_LOAD_SERVICES change the size; default 200 over 20). Every build ends final (passed, or
 * cancelled when a newer push of its service superseded it), no build is deployed twice, each
 * service's releases go out in commit order and it ends on its last push,
 * statuses are in order, and Redis memory is reported before and after.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Build } from '../../src/core/build.ts';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

const PUSHES = Number(process.env.SLIPWAY_LOAD_PUSHES ?? 200);
const SERVICES = Number(process.env.SLIPWAY_LOAD_SERVICES ?? 20);

async function usedMemory(url: string): Promise<number> {
  const redis = new Redis(url);
  try {
    return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  } finally {
    await redis.quit();
  }
}

describe(`load: ${PUSHES} pushes over ${SERVICES} services, three workers`, { timeout: 1_800_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ services: SERVICES, jobLease: 30 });
  });
  after(async () => c?.close());

  it('ends every build, deploys each at most once and in order, and keeps statuses in order', async (t) => {
    const before = await usedMemory(c.redis.url);
    for (let i = 0; i < 3; i++) c.startWorker();
    const started = Date.now();
    const pushes: { service: number; n: number; id: string; sha: string }[] = [];
    for (let n = 0; n < PUSHES; n++) {
      const service = n % SERVICES;
      const { id, sha } = await c.push(c.services[service]!, `Release ${n}`);
      pushes.push({ service, n, id, sha });
    }
    const builds = new Map<string, Build>();
    for (const p of pushes) builds.set(p.id, await c.settled(p.id, 1_500_000));
    const took = Date.now() - started;

    for (const [i, service] of c.services.entries()) {
      const mine = pushes.filter((p) => p.service === i).map((p) => builds.get(p.id)!);
      assert.equal(mine.at(-1)?.state, 'passed', `the last push of ${service.name} is never superseded: ${mine.at(-1)?.detail}`);
      for (const b of mine) {
        if (b.state === 'cancelled') {
          assert.match(b.detail ?? '', /^Superseded by [0-9a-f]{7} \(build \d+\)$/, `build ${b.id}`);
          assert.equal(b.deploys.length, 0, `superseded build ${b.id} has deploys`);
          continue;
        }
        assert.equal(b.state, 'passed', `build ${b.id}: ${b.detail}`);
        assert.equal(b.deploys.length, 1, `build ${b.id} has ${b.deploys.length} deploys`);
        assert.ok(['succeeded', 'skipped'].includes(b.deploys[0]!.state), `build ${b.id}: ${b.deploys[0]!.state} ${b.deploys[0]!.detail}`);
      }
      // In commit order: sorted by when each went out, the pushes that deployed are in push order.
      const deployed = mine.filter((b) => b.deploys[0]?.state === 'succeeded').sort((x, y) => x.deploys[0]!.finishedAt! - y.deploys[0]!.finishedAt!);
      assert.deepEqual(deployed.map((b) => Number(b.id)), deployed.map((b) => Number(b.id)).sort((x, y) => x - y), `${service.name} deployed out of order`);
      assert.equal(deployed.at(-1)?.id, mine.at(-1)?.id, `${service.name} ends on its last push`);
      assert.match((await c.answer(service)) ?? '', new RegExp(`Release ${pushes.filter((p) => p.service === i).at(-1)!.n}<`));
    }
    for (const p of pushes) {
      const name = c.services[p.service]!.name;
      await c.finalStatus(p.sha, builds.get(p.id)!.state === 'cancelled' ? `slipway/${name}` : `slipway/${name}/production`);
    }
    assert.deepEqual(statusProblems(c.github.statuses), []);

    const afterMemory = await usedMemory(c.redis.url);
    const all = [...builds.values()];
    const skipped = all.filter((b) => b.deploys[0]?.state === 'skipped').length;
    const superseded = all.filter((b) => b.state === 'cancelled').length;
    t.diagnostic(`${PUSHES} pushes over ${SERVICES} services, 3 workers: all final in ${(took / 1000).toFixed(0)} s; ${PUSHES - skipped - superseded} deployed, ${skipped} skipped as older than what ran, ${superseded} superseded by a newer push`);
    t.diagnostic(`Redis used_memory: ${(before / 1e6).toFixed(2)} MB before, ${(afterMemory / 1e6).toFixed(2)} MB after`);
  });
});
