/**
 * End to end on ECS: the whole product (real Redis, Docker, registry, git; GitHub and Slack
 * emulated) deploying with the `ecs` scheduler to the ECS emulator, whose tasks run in the real
 * test engine. Slipway finds the emulator through AWS_ENDPOINT_URL_ECS and AWS_REGION, and its
 * credentials through the AWS SDK's own chain (process.env here), exactly as an operator's shell.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pinnedName } from '../../src/core/image.ts';
import { startEcsEmulator, type EcsEmulator } from '../emulators/ecs.ts';
import { siteTaskDefinition } from '../emulators/ecs/site-task.ts';
import { testEnv } from '../support/env.ts';
import { publishSite } from '../support/images.ts';
import { type Harness, helloApp, pushNeverHealthy, startHarness } from './harness.ts';

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } as const;

describe('push to production on ECS', { timeout: 600_000 }, () => {
  let h: Harness;
  let ecs: EcsEmulator;
  let firstDigest = '';
  const saved = Object.fromEntries(Object.keys(CREDENTIALS).map((k) => [k, process.env[k]]));

  before(async () => {
    Object.assign(process.env, CREDENTIALS); // the SDK's default chain reads these from the process
    ecs = await startEcsEmulator({ dockerHost: testEnv().dockerHost, timeScale: 0.05 });
    h = await startHarness({
      deploy: (_port, service) => ({ scheduler: 'ecs', block: `cluster: web\nservice: ${service}\ncontainer: app\nenv:\n  RELEASED_BY: slipway` }),
      env: { AWS_REGION: 'us-east-1', ...CREDENTIALS, AWS_ENDPOINT_URL_ECS: ecs.url },
    });
    // DESIGN.md's precondition: the service exists, running whatever the team deployed by hand.
    const byHand = await publishSite(h.service, 'deployed by hand');
    await ecs.seedService({ cluster: 'web', service: h.service, taskDefinition: siteTaskDefinition(h.service, pinnedName(byHand)) });
  });
  after(async () => {
    await h?.close();
    await ecs?.close(); // removes every container its tasks ran
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const page = async () => {
    const task = ecs.tasks('web', h.service).find((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING');
    return task ? (await (await fetch(`http://127.0.0.1:${task.port}/index.html`)).text()) : '';
  };

  it('a signed push: image pushed, a new task definition revision rolled out on ECS, deploy status success, Slack message', async (t) => {
    const sha = h.repo.commit(helloApp('Hello from ECS'), 'Ship it to ECS');
    const res = await h.push(sha, 'Ship it to ECS');
    assert.equal(res.status, 202);
    const started = Date.now();
    const build = await h.finished(res.body.queued[0].id, 120_000);
    t.diagnostic(`push → deployed on ECS in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.scheduler, d.state]), [['production', 'ecs', 'succeeded']], build.deploys[0]?.detail);

    firstDigest = (await h.manifestDigest(`git-${sha.slice(0, 7)}`)) ?? '';
    assert.equal(build.image?.digest, firstDigest);
    assert.equal(ecs.runningImage('web', h.service), firstDigest);
    assert.match(await page(), /Hello from ECS/);

    // Only the image (by digest) and the declared env changed; the circuit breaker rolls back.
    const registered = ecs.requests.filter((r) => r.operation === 'RegisterTaskDefinition').at(-1)!.body;
    const seeded = siteTaskDefinition(h.service, '');
    const app = registered.containerDefinitions[0];
    assert.equal(app.image, `${h.registry}/${h.service}@${firstDigest}`);
    assert.deepEqual(app.environment, [...seeded.containerDefinitions[0].environment, { name: 'RELEASED_BY', value: 'slipway' }]);
    assert.deepEqual(app.healthCheck, seeded.containerDefinitions[0].healthCheck);
    assert.deepEqual(registered.tags, seeded.tags);
    const update = ecs.requests.filter((r) => r.operation === 'UpdateService').at(-1)!.body;
    assert.deepEqual(update.deploymentConfiguration.deploymentCircuitBreaker, { enable: true, rollback: true });

    await h.github.finalStatus(sha, `slipway/${h.service}/production`);
    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`)?.state, 'success');
    await h.slack.waitFor((m) => m.some((x) => x.text.includes(sha.slice(0, 7))), 5000);
    const log = await h.buildLog(build.id);
    assert.match(log, new RegExp(`\\[production\\] Registered task definition ${h.service}:2 \\(was ${h.service}:1\\)`));
    assert.match(log, /\[production\] ECS: \(service .*\) has reached a steady state\./);
    assert.match(log, /\[production\] Deploy succeeded/);
  });

  it('a release that never becomes healthy: the circuit breaker rolls it back, reported with ECS\'s reason', async (t) => {
    const started = Date.now();
    const { sha, build } = await pushNeverHealthy(h, 180_000);
    t.diagnostic(`push → rolled back on ECS in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    const deploy = build.deploys[0]!;
    assert.equal(deploy.state, 'rolled_back', deploy.detail);
    assert.equal(deploy.detail, 'Task failed container health checks');
    assert.equal(ecs.runningImage('web', h.service), firstDigest);
    assert.match(await page(), /Hello from ECS/);

    await h.github.finalStatus(sha, `slipway/${h.service}/production`);
    const status = h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`);
    assert.equal(status?.state, 'failure');
    assert.match(status?.description ?? '', /^Rolled back in production/);
    await h.slack.waitFor((m) => m.some((x) => x.text.startsWith('Rolled back') && x.text.includes(sha.slice(0, 7))), 5000);
    const log = await h.buildLog(build.id);
    assert.match(log, /\[production\] ECS rolled back to .*:2/);
  });
});
