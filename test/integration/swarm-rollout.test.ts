/**
 * The `swarm` scheduler on a real engine in swarm mode (this file's own, beside the shared test
 * engine): the first deploy creates the service, pulling with the registry's credentials; an
 * update that never turns healthy is rolled back by the engine itself, and the detail is the
 * engine's own reason; a healthy update after it goes through; a first deploy that never turns
 * healthy leaves no service behind.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PushedImage } from '../../src/core/image.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createStaticCredentials } from '../../src/registries/static-credentials.ts';
import { findService } from '../../src/schedulers/swarm/swarm-api.ts';
import { createSwarmScheduler } from '../../src/schedulers/swarm/swarm-scheduler.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { publishSite } from '../support/images.ts';
import { memoryLog } from '../support/memory-log.ts';
import { startSwarmEngine, type SwarmEngine } from '../support/swarm-engine.ts';
import { pageAt, specOf, swarmRelease } from '../support/swarm-release.ts';

const env = testEnv();
const service = `swarm${randomBytes(3).toString('hex')}`;
const DEADLINE_MS = 45_000; // each engine step may be slow on a busy machine; none waits this long when it goes well

describe('swarm scheduler: rollouts on a real engine in swarm mode', { timeout: 120_000 }, () => {
  let swarm: SwarmEngine;
  let port: number;
  let v1: PushedImage, v2: PushedImage, broken: PushedImage;
  const credentials = createStaticCredentials({ username: env.authUsername, password: env.authPassword, serveraddress: env.authRegistry });
  const scheduler = createSwarmScheduler(createDockerClient(env.dockerHost), { intervalMs: 200, registryCredentials: credentials });
  const deploy = async (image: PushedImage, environment = 'production', at = port) => {
    const log = memoryLog();
    const release = swarmRelease(service, environment, image, { host: swarm.dockerHost, port: at, replicas: 1 });
    return { log, result: await scheduler.deploy(release, log, { deadlineMs: DEADLINE_MS }) };
  };

  before(async () => {
    [swarm, port] = await Promise.all([startSwarmEngine(), freePort()]);
    v1 = await publishSite(service, 'version one', { authRegistry: true });
    v2 = await publishSite(service, 'version two', { authRegistry: true });
    broken = await publishSite(service, 'never healthy', { authRegistry: true, healthy: false });
  });
  after(async () => swarm?.stop());

  it('creates the service on the first deploy: pinned image, PORT, host network, health-gated update that rolls back', async () => {
    const { log, result } = await deploy(v1);
    assert.equal(result.outcome, 'succeeded', log.text());
    assert.equal(await pageAt(port), 'version one');
    const spec = await specOf(swarm.docker, `${service}-production`);
    const container = spec.TaskTemplate.ContainerSpec as { Image: string; Env: string[]; Healthcheck?: { Test: string[] } };
    assert.equal(container.Image, `${v1.repository}:${v1.tag}@${v1.digest}`);
    assert.ok(container.Env.includes(`PORT=${port}`));
    assert.deepEqual(container.Healthcheck?.Test, ['CMD', '/usr/bin/wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${port}/index.html`]);
    assert.deepEqual(spec.Mode, { Replicated: { Replicas: 1 } });
    assert.equal(spec.UpdateConfig?.FailureAction, 'rollback');
    assert.equal(spec.UpdateConfig?.Order, 'stop-first', 'one node, one fixed port: the old task must go first');
    assert.match(log.text(), /Health: the engine checks each task/);
  });

  it('an update that never turns healthy is rolled back by the engine, with the engine\'s reason', async () => {
    const { log, result } = await deploy(broken);
    assert.equal(result.outcome, 'rolled_back', log.text());
    // the engine's facts, whether or not its short-lived rollback_started message was seen: the
    // task it blames, how that task ended, and its health check's last output
    assert.match(result.detail, /task \w{25}: task complete: finished \(exit 0\); its health check failed: .*wget/, log.text());
    assert.match(log.text(), /Swarm: rolled back by the engine \(task \w{25}: task complete: .*its health check failed/);
    assert.equal(result.previous, `${v1.repository}:${v1.tag}@${v1.digest}`);
    assert.equal(await pageAt(port), 'version one');
  });

  it('a healthy update after the rollback goes through', async () => {
    const { log, result } = await deploy(v2);
    assert.equal(result.outcome, 'succeeded', log.text());
    assert.equal(await pageAt(port), 'version two');
    assert.match(log.text(), /Swarm: completed/);
  });

  it('a first deploy that never turns healthy fails with the task\'s error and leaves no service', async () => {
    const { log, result } = await deploy(broken, 'staging', await freePort());
    assert.equal(result.outcome, 'failed', log.text());
    assert.match(result.detail, /task complete: finished/, log.text());
    assert.equal(await findService(swarm.docker, `${service}-staging`), undefined);
  });
});
