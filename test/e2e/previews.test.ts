/**
 * Preview environments on the real parts (Redis, Docker, registry, git; GitHub emulated and
 * validating deployments as its REST reference does): a pull request from the repository itself
 * is deployed to pr-<number> on a port of its own, redeployed on every push, and removed when it
 * closes; a fork's pull request is built and tested but never pushed or deployed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'node:test';
import type { Build } from '../../src/core/build.ts';
import { createRedisPreviewPorts } from '../../src/store/redis-preview-ports.ts';
import type { RecordedDeployment } from '../emulators/github-deployments.ts';
import { pullRequestPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { freePortRange } from '../support/free-port.ts';
import { helloApp, productionAndPreviews, startHarness, type Harness } from './harness.ts';

const PR = 7;

describe('previews of pull requests', { timeout: 300_000 }, () => {
  let h: Harness;
  let first: number;
  const docker = new Docker({ socketPath: testEnv().dockerHost.replace(/^unix:\/\//, '') });
  const redis = new Redis(testEnv().redisUrl);
  const opened: { build?: Build; deployment?: RecordedDeployment; closedAt?: string } = {};
  before(async () => {
    first = await freePortRange(2);
    h = await startHarness({
      pipeline: productionAndPreviews(`${first}-${first + 1}`, 'http://127.0.0.1:{port}/'),
    });
  });
  after(async () => {
    for (const n of [PR, PR + 1]) for (const suffix of ['', '-previous']) await docker.getContainer(`slipway-${h?.service}-pr-${n}${suffix}`).remove({ force: true }).catch(() => undefined);
    await h?.close();
    await redis.quit();
  });

  const pullRequest = (action: string, number: number, sha: string, o: { headRepository?: string; closedAt?: string; delivery?: string } = {}) => {
    const payload = pullRequestPayload({ action, repository: h.repository, cloneUrl: h.repo.url, sha, branch: 'feature/login', headRepository: o.headRepository, closedAt: o.closedAt });
    payload.number = payload.pull_request.number = number;
    return h.send('pull_request', payload, { delivery: o.delivery });
  };
  /** the worker's `preview removal finished` line for one delivery, waited for */
  const removalOf = async (delivery: string) => {
    for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      const line = h.operatorLog.map((l) => JSON.parse(l)).find((l) => l.msg === 'preview removal finished' && l.delivery === delivery);
      if (line) return line as { outcome: string };
    }
    throw new Error(`no removal finished for delivery ${delivery}: ${h.operatorLog.slice(-10).join('')}`);
  };
  const page = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return res?.ok ? res.text() : undefined;
  };
  const container = (name: string) => docker.getContainer(name).inspect().catch(() => undefined);
  const preview = `pr-${PR}`;
  const deploymentOf = async (sha: string, state: string) => {
    await h.github.waitForDeployments((all) => all.some((d) => d.sha === sha && d.statuses.at(-1)?.state === state), 10_000);
    return h.github.deployments.find((d) => d.sha === sha)!;
  };

  it('deploys an opened pull request to pr-<number> on the first port of the range, with a transient deployment naming that port', async () => {
    const sha = h.repo.commit(helloApp('Hello, preview one'), 'Login page', 'feature/login');
    const res = await pullRequest('opened', PR, sha);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const build = await h.finished(res.body.queued[0].id);
    assert.equal(build.state, 'passed', await h.buildLog(build.id));
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state, d.url]), [[preview, 'succeeded', `http://127.0.0.1:${first}/`]], JSON.stringify(build.deploys));
    assert.equal(build.image?.tag, `pr${PR}-${sha.slice(0, 7)}`);
    assert.ok(await h.manifestDigest(build.image.tag), 'the preview image is in the registry');
    assert.match((await page(first)) ?? '', /preview one/);
    const deployment = await deploymentOf(sha, 'success');
    assert.deepEqual([deployment.environment, deployment.transient_environment, deployment.production_environment], [preview, true, false]);
    assert.deepEqual(deployment.statuses.map((s) => [s.state, s.environment_url]), [['in_progress', `http://127.0.0.1:${first}/`], ['success', `http://127.0.0.1:${first}/`]]);
    assert.deepEqual(h.github.rejected, []);
    Object.assign(opened, { build, deployment });
  });

  it('redeploys every push to the pull request on the same port, and the earlier deployment goes inactive', async () => {
    assert.ok(opened.deployment, 'the pull request was opened');
    const sha = h.repo.commit(helloApp('Hello, preview two'), 'Login page, second try', 'feature/login');
    const build = await h.finished((await pullRequest('synchronize', PR, sha)).body.queued[0].id);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state, d.url]), [[preview, 'succeeded', `http://127.0.0.1:${first}/`]], JSON.stringify(build.deploys));
    assert.match((await page(first)) ?? '', /preview two/);
    assert.equal((await container(`slipway-${h.service}-${preview}`))?.Config.Labels['slipway.sha'], sha);
    await deploymentOf(sha, 'success');
    await h.github.waitForDeployments(() => opened.deployment!.statuses.at(-1)?.state === 'inactive', 10_000);
  });

  it('removes the preview when the pull request closes: container gone, port given back, deployment inactive', async () => {
    opened.closedAt = new Date().toISOString();
    const res = await pullRequest('closed', PR, opened.build!.event.sha, { closedAt: opened.closedAt });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body, { removing: [{ service: h.service, environment: preview }] });
    const latest = h.github.deployments.at(-1)!;
    await h.github.waitForDeployments(() => latest.statuses.at(-1)?.state === 'inactive', 30_000);
    assert.match(latest.statuses.at(-1)!.description, new RegExp(`Pull request #${PR} closed; preview of ${h.service} removed`));
    for (const suffix of ['', '-previous', '-next']) assert.equal(await container(`slipway-${h.service}-${preview}${suffix}`), undefined, suffix);
    assert.equal(await page(first), undefined);
    const ports = createRedisPreviewPorts(redis, `e2e-${h.service}`);
    assert.equal(await ports.held(`${h.service}:${preview}`), undefined, 'the port is free again');
  });

  it('a close redelivered after the pull request reopened and deployed again keeps the preview, and its pushes still deploy', async () => {
    assert.ok(opened.closedAt, 'the pull request was closed');
    const reopened = h.repo.commit(helloApp('Hello, preview reopened'), 'Login page, reopened', 'feature/login');
    const build = await h.finished((await pullRequest('reopened', PR, reopened)).body.queued[0].id);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state]), [[preview, 'succeeded']], JSON.stringify(build.deploys));
    // GitHub's Redeliver: the same payload (closed_at of the first close) under a new delivery id.
    const delivery = randomUUID();
    assert.equal((await pullRequest('closed', PR, reopened, { closedAt: opened.closedAt, delivery })).status, 202);
    assert.equal((await removalOf(delivery)).outcome, 'reopened');
    assert.match((await page(first)) ?? '', /preview reopened/);
    const pushed = h.repo.commit(helloApp('Hello, preview after the redelivery'), 'Login page, once more', 'feature/login');
    const next = await h.finished((await pullRequest('synchronize', PR, pushed)).body.queued[0].id);
    assert.deepEqual(next.deploys.map((d) => [d.environment, d.state]), [[preview, 'succeeded']], JSON.stringify(next.deploys));
    assert.match((await page(first)) ?? '', /after the redelivery/);
  });

  it('builds and tests a fork\'s pull request but never pushes or deploys it', async () => {
    const sha = h.repo.commit(helloApp('Hello from a fork'), 'Fork change', 'feature/fork');
    const res = await pullRequest('opened', PR + 1, sha, { headRepository: 'mallory/fork' });
    const build = await h.finished(res.body.queued[0].id);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.stages.find((s) => s.name === 'push'), { name: 'push', state: 'skipped', detail: 'pull requests from forks are never pushed' });
    assert.deepEqual(build.deploys, []);
    assert.equal(await h.manifestDigest(`pr${PR + 1}-${sha.slice(0, 7)}`), undefined);
    assert.equal(await container(`slipway-${h.service}-pr-${PR + 1}`), undefined);
    assert.equal(h.github.deployments.filter((d) => d.sha === sha).length, 0);
  });
});
