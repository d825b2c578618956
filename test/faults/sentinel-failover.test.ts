/**
 * Redis behind Sentinel (three sentinels, a primary and a replica): the primary stops while a
 * build runs, the sentinels promote the replica, and Slipway (server in this process, a worker
 * process) follows. REDIS_URL names a port nothing listens on, so every connection comes from the
 * sentinels; it still gives the password and the db.
 *
 * The primary is stopped with SIGTERM: Redis (7.0 and later) then holds writes and waits for its
 * replica to catch up before it exits, so the failover itself loses nothing Redis acknowledged.
 * A primary that crashes instead can lose the writes its replica had not yet received
 * (replication is asynchronous); the README says so.
 *
 * Then a primary that hangs (SIGSTOP) while a build runs: its connections stay open and nothing
 * answers, so only the sentinels' announcement of the failover moves Slipway off it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkRedis } from '../../src/cli/doctor-checks.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { freePort } from '../support/free-port.ts';
import { startOwnSentinels, type OwnSentinels } from '../support/own-sentinels.ts';
import { startCluster, statusProblems, type Cluster, type WorkerProcess } from './cluster.ts';

const DB = 3;

describe('Redis behind Sentinel: the primary fails over mid-build', { timeout: 180_000 }, () => {
  let redis: OwnSentinels;
  let c: Cluster;
  let env: Record<string, string>;
  let worker: WorkerProcess;
  before(async () => {
    redis = await startOwnSentinels();
    env = {
      REDIS_URL: `redis://:${redis.password}@127.0.0.1:${await freePort()}/${DB}`,
      REDIS_SENTINELS: redis.sentinels,
      REDIS_SENTINEL_NAME: redis.name,
    };
    c = await startCluster({ jobLease: 20, env });
    worker = c.startWorker();
  });
  after(async () => {
    await c?.close();
    await redis?.close();
  });

  /** the build and its deploys settled; else what the worker said last, to tell why */
  const settled = (id: string) => c.settled(id, 120_000).catch((err: Error) => {
    throw new Error(`${err.message}\nthe worker's last lines:\n${worker.output.slice(-40).join('\n')}`);
  });
  const doctorLine = () => checkRedis(loadConfig({ GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: '127.0.0.1:5000', ...env }));

  it('loses nothing: the build finishes, its record, log and statuses survive, and the next push builds', async () => {
    const [service] = c.services;
    const from = await redis.primaryPort();
    assert.match((await doctorLine()).detail, new RegExp(`primary 127\\.0\\.0\\.1:${from} \\(named by 3 of 3 sentinels\\)`));

    const first = await c.push(service!, 'Through a Sentinel failover', { buildSeconds: 3 });
    await c.until(first.id, 'the build stage', (b) => b.stages.some((s) => s.name === 'build' && s.state === 'running'), 120_000);
    const logBefore = await c.log(first.id);
    await redis.stop(from, 'SIGTERM');
    const to = await redis.failedOver(from);

    const done = await settled(first.id);
    assert.equal(done.state, 'passed', done.detail);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(done.deploys));
    assert.ok((await c.log(first.id)).startsWith(logBefore), 'the log written before the failover is kept, in order');
    assert.match((await c.answer(service!)) ?? '', /Through a Sentinel failover/);
    await c.finalStatus(first.sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === first.sha)), []);

    // On the new primary, in REDIS_URL's db
    const primary = redis.client(to, DB);
    try {
      assert.equal(await primary.exists(`${c.prefix}:build:${first.id}`), 1);
    } finally {
      primary.disconnect();
    }

    const second = await c.push(service!, 'After the failover', {});
    const next = await settled(second.id);
    assert.equal(next.state, 'passed', next.detail);
    assert.deepEqual(next.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(next.deploys));
    assert.match((await c.answer(service!)) ?? '', /After the failover/);

    assert.match((await doctorLine()).detail, new RegExp(`primary 127\\.0\\.0\\.1:${to} \\(named by 3 of 3 sentinels\\)`));
  });

  it('a primary that hangs mid-build is left at the failover: the build settles, statuses are final, the next push builds', async () => {
    // A frozen primary keeps every connection open and answers nothing: only the sentinels'
    // +switch-master tells Slipway to leave it. It stays frozen to the end, so nothing that
    // finishes below went through it.
    const [service] = c.services;
    const from = await redis.primaryPort();
    await redis.startReplica(await freePort(), from);
    const first = await c.push(service!, 'Through a hung primary', { buildSeconds: 3 });
    await c.until(first.id, 'the build stage', (b) => b.stages.some((s) => s.name === 'build' && s.state === 'running'), 120_000);
    redis.freeze(from);
    await redis.failedOver(from);

    const done = await settled(first.id);
    assert.equal(done.state, 'passed', done.detail);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(done.deploys));
    await c.finalStatus(first.sha, `slipway/${service!.name}/production`);
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === first.sha)), []);

    const second = await c.push(service!, 'After the hung primary', {});
    const next = await settled(second.id);
    assert.equal(next.state, 'passed', next.detail);
    assert.match((await c.answer(service!)) ?? '', /After the hung primary/);
  });

  it('doctor fails saying so when no sentinel answers', async () => {
    const dead = `127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}`;
    const line = await checkRedis(loadConfig({ GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: '127.0.0.1:5000', ...env, REDIS_SENTINELS: dead }));
    assert.equal(line.outcome, 'fail');
    assert.match(line.detail, /no sentinel names a primary: sentinel 127\.0\.0\.1:\d+: no answer: .*ECONNREFUSED/);
  });
});
