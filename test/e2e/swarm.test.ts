/**
 * End to end on Docker Swarm: the whole product (real Redis, Docker, registry, git; GitHub and
 * Slack emulated) deploying with the `swarm` scheduler to a real engine in swarm mode (this
 * file's own, beside the engine the worker builds on), named by the block's `swarm.host`.
 */
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { after, before, describe, it } from 'node:test';
import { startSwarmEngine, type SwarmEngine } from '../support/swarm-engine.ts';
import { helloApp, startHarness, type Harness } from './harness.ts';

describe('push to production on swarm', { timeout: 300_000 }, () => {
  let h: Harness;
  let swarm: SwarmEngine;

  before(async () => {
    swarm = await startSwarmEngine();
    h = await startHarness({
      deploy: (port) => ({
        scheduler: 'swarm',
        block: `host: ${swarm.dockerHost}\nport: ${port}\nhealth_path: /index.html\nstart_period: 1\nmonitor: 1\nenv:\n  RELEASED_BY: slipway`,
      }),
    });
  });
  after(async () => {
    await h?.close();
    await swarm?.stop(); // leaves the swarm: its services and their tasks go with it
  });

  it('a signed push: image pushed, service created on the swarm by digest, deploy status success, Slack message', async (t) => {
    const sha = h.repo.commit(helloApp('Hello from swarm'), 'Ship it to swarm');
    const res = await h.push(sha, 'Ship it to swarm');
    assert.equal(res.status, 202);
    const started = Date.now();
    const build = await h.finished(res.body.queued[0].id, 120_000);
    t.diagnostic(`push → deployed on swarm in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.scheduler, d.state]), [['production', 'swarm', 'succeeded']], build.deploys[0]?.detail);

    const digest = (await h.manifestDigest(`git-${sha.slice(0, 7)}`)) ?? '';
    assert.equal(build.image?.digest, digest);
    const service = (await swarm.docker.getService(`${h.service}-production`).inspect()) as Docker.Service;
    const container = (service.Spec?.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec!;
    assert.equal(container.Image, `${h.registry}/${h.service}:git-${sha.slice(0, 7)}@${digest}`);
    assert.ok(container.Env?.includes('RELEASED_BY=slipway') && container.Env.includes(`PORT=${h.servicePort}`), String(container.Env));
    assert.match((await h.serviceAnswer()) ?? '', /Hello from swarm/);

    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`)?.state, 'success');
    await h.slack.waitFor((m) => m.some((x) => x.text.includes(sha.slice(0, 7))), 5000);
    const log = await h.buildLog(build.id);
    assert.match(log, new RegExp(`\\[production\\] Creating service ${h.service}-production: 1 × git-${sha.slice(0, 7)}`));
    assert.match(log, /\[production\] Deploy succeeded/);
  });
});
