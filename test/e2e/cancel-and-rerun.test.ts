/**
 * Release control on the real parts, with two `slipway worker` processes: a newer push to a
 * branch stops the older build of that branch wherever it runs (its RUN step's container goes, it
 * never deploys, its status says `Superseded by <sha7>`), builds of other branches go on, and
 * `slipway cancel` / `slipway rerun` and their API routes do what they say, behind the API token.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import type { Build } from '../../src/core/build.ts';
import { startCluster, statusProblems, type Cluster, type Service } from '../faults/cluster.ts';
import { testEnv } from '../support/env.ts';

const TOKEN = 'release-control-token';
const BIN = new URL('../../bin/slipway.mjs', import.meta.url).pathname;
/** An unusual RUN step length, so its container is told apart from anyone else's on the engine. */
const LONG = 413;

describe('superseded builds, cancel and rerun', { timeout: 420_000 }, () => {
  let c: Cluster;
  let service: Service;
  let redis: Redis;
  const docker = new Docker({ socketPath: testEnv().dockerHost.replace(/^unix:\/\//, '') });
  let deployed: { id: string; sha: string };

  before(async () => {
    c = await startCluster({ services: 1, env: { SLIPWAY_API_TOKEN: TOKEN } });
    service = c.services[0]!;
    redis = new Redis(c.redis.url);
    c.startWorker();
    c.startWorker();
  });
  after(async () => {
    redis?.disconnect();
    await c?.close();
  });

  const running = (stage: string) => (b: Build) => b.stages.some((s) => s.name === stage && s.state === 'running');
  const buildStatus = (sha: string) => c.finalStatus(sha, `slipway/${service.name}`);
  const sleepers = async () => (await docker.listContainers({ all: true })).filter((x) => x.Command.includes(`sleep ${LONG}`));

  function api(method: string, path: string, token = TOKEN) {
    return fetch(`${c.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
  }

  function slipway(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...c.env }, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  async function gone(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('a newer push to the branch stops the older build; a build of another branch goes on', async () => {
    const feature = await c.push(service, 'Feature', { branch: 'feature', buildSeconds: 3 });
    const older = await c.push(service, 'Older', { buildSeconds: LONG });
    await c.until(older.id, 'its RUN step running', running('build'), 120_000);
    await gone('the RUN step container started', async () => (await sleepers()).length > 0);
    const newer = await c.push(service, 'Newer');

    const stopped = await c.settled(older.id, 60_000);
    assert.equal(stopped.state, 'cancelled', stopped.detail);
    assert.equal(stopped.detail, `Superseded by ${newer.sha.slice(0, 7)} (build ${newer.id})`);
    assert.deepEqual(stopped.deploys, [], 'a superseded build queues no deploy');
    assert.equal(stopped.image, undefined, 'nothing of it is recorded as pushed');
    const status = await buildStatus(older.sha);
    assert.equal(status.state, 'error');
    assert.match(status.description ?? '', new RegExp(`^Superseded by ${newer.sha.slice(0, 7)}`));
    await gone('the superseded RUN step container is removed', async () => (await sleepers()).length === 0);

    const [shipped, other] = await Promise.all([c.settled(newer.id, 180_000), c.settled(feature.id, 180_000)]);
    assert.equal(shipped.state, 'passed', shipped.detail);
    assert.equal(shipped.deploys[0]?.state, 'succeeded', shipped.deploys[0]?.detail);
    assert.match((await c.answer(service)) ?? '', /Newer/);
    assert.equal(other.state, 'passed', `a push to another branch is not superseded: ${other.detail}`);
    assert.equal(c.statuses(older.sha, `slipway/${service.name}/production`).length, 0, 'no deploy status for the superseded commit');
    assert.equal(c.slack.messages.some((m) => JSON.stringify(m.body).includes(older.sha.slice(0, 7))), false, 'no Slack message about it');
    // A build's final status is posted just after its record reads final: wait for them, bounded.
    await Promise.all([buildStatus(feature.sha), buildStatus(newer.sha), c.finalStatus(newer.sha, `slipway/${service.name}/production`)]);
    assert.deepEqual(statusProblems(c.github.statuses), []);
    deployed = newer;
  });

  it('slipway cancel stops a running build; slipway rerun builds a finished one again', async () => {
    const slow = await c.push(service, 'Slow', { buildSeconds: LONG });
    await c.until(slow.id, 'its RUN step running', running('build'), 120_000);
    const early = await slipway('rerun', slow.id);
    assert.equal(early.code, 1, early.stderr);
    assert.match(early.stderr, new RegExp(`build ${slow.id} is still running; .*slipway cancel ${slow.id}`));

    const cancel = await slipway('cancel', slow.id);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, new RegExp(`^Cancelled build ${slow.id} \\(${service.name}, push to main at ${slow.sha.slice(0, 7)}\\): Cancelled with slipway cancel`));
    const stopped = await c.settled(slow.id, 30_000);
    assert.equal(stopped.state, 'cancelled');
    assert.deepEqual(stopped.deploys, []);
    assert.match((await buildStatus(slow.sha)).description ?? '', /^Cancelled/);
    await gone('the cancelled RUN step container is removed', async () => (await sleepers()).length === 0);

    const again = await slipway('cancel', slow.id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`build ${slow.id} already ended cancelled`));
    assert.equal((await slipway('cancel', '99999')).code, 2);

    const rerun = await slipway('rerun', deployed.id);
    assert.equal(rerun.code, 0, rerun.stderr);
    const id = /^Queued build (\d+): a rerun of build /.exec(rerun.stdout)?.[1];
    assert.ok(id, rerun.stdout);
    const rebuilt = await c.settled(id, 180_000);
    assert.equal(rebuilt.state, 'passed', rebuilt.detail);
    assert.equal(rebuilt.event.sha, deployed.sha);
    assert.equal(rebuilt.rerunOf, deployed.id);
    assert.match((await c.answer(service)) ?? '', /Newer/);
  });

  it('the API cancels queued and running builds and reruns finished ones, with the token only', async () => {
    for (const path of [`/api/builds/${deployed.id}/cancel`, `/api/builds/${deployed.id}/rerun`]) {
      assert.equal((await api('POST', path, '')).status, 401, path);
      assert.equal((await api('POST', path, 'wrong')).status, 401, path);
    }
    assert.equal((await api('POST', '/api/builds/99999/cancel')).status, 404);
    assert.equal((await api('POST', '/api/builds/99999/rerun')).status, 404);
    const finished = await api('POST', `/api/builds/${deployed.id}/cancel`);
    assert.equal(finished.status, 409);
    assert.match(finished.body.error, new RegExp(`build ${deployed.id} already ended passed`));
    assert.equal(finished.body.reason, 'final');

    // Both workers busy with one long build each: the third waits on the queue.
    const first = await c.push(service, 'First', { branch: 'one', buildSeconds: LONG });
    const second = await c.push(service, 'Second', { branch: 'two', buildSeconds: LONG });
    await Promise.all([first, second].map((b) => c.until(b.id, 'its RUN step running', running('build'), 120_000)));
    const waiting = await c.push(service, 'Waiting', { branch: 'three' });
    assert.equal((await c.build(waiting.id)).state, 'queued');
    const early = await api('POST', `/api/builds/${first.id}/rerun`);
    assert.deepEqual([early.status, early.body.reason], [409, 'not_final'], JSON.stringify(early.body));
    assert.match(early.body.error, new RegExp(`build ${first.id} is still running`));

    const queued = await api('POST', `/api/builds/${waiting.id}/cancel`);
    assert.equal(queued.status, 200, JSON.stringify(queued.body));
    assert.equal(queued.body.build.state, 'cancelled');
    assert.equal(queued.body.build.startedAt, undefined, 'it never started');
    assert.equal(await redis.exists(`${c.prefix}:queue:build:build-${waiting.id}`), 0, 'its job is off the queue: no worker will start it');
    assert.match((await buildStatus(waiting.sha)).description ?? '', /^Cancelled through the API/);

    for (const b of [first, second]) {
      const res = await api('POST', `/api/builds/${b.id}/cancel`);
      assert.ok(res.status === 200 || res.status === 202, JSON.stringify(res.body));
      assert.equal((await c.settled(b.id, 30_000)).state, 'cancelled');
    }
    await gone('the cancelled RUN step containers are removed', async () => (await sleepers()).length === 0);
    const never = await c.build(waiting.id);
    assert.equal(never.startedAt, undefined);
    assert.ok(never.stages.every((s) => s.state === 'pending'), JSON.stringify(never.stages));

    const rerun = await api('POST', `/api/builds/${waiting.id}/rerun`);
    assert.equal(rerun.status, 201, JSON.stringify(rerun.body));
    assert.equal(rerun.body.build.rerunOf, waiting.id);
    assert.equal((await c.settled(rerun.body.build.id, 180_000)).state, 'passed');
  });
});
