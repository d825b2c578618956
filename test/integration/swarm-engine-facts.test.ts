/**
 * The `swarm` scheduler where the engine's own rules show: a stale service version is read again
 * and retried; an engine that is not a swarm manager is named as such (by a deploy and by
 * `slipway doctor`); an image with no wget or
 * curl is health-checked by Slipway's own probe, which asks the engine to roll back when the
 * release never answers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { checkSwarms } from '../../src/cli/doctor-swarm.ts';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { PushedImage } from '../../src/core/image.ts';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createService, isOutOfSequence, updateService } from '../../src/schedulers/swarm/swarm-api.ts';
import { createSwarmScheduler } from '../../src/schedulers/swarm/swarm-scheduler.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { publishSite } from '../support/images.ts';
import { memoryLog } from '../support/memory-log.ts';
import { startSwarmEngine, type SwarmEngine } from '../support/swarm-engine.ts';
import { pageAt, swarmRelease } from '../support/swarm-release.ts';

const env = testEnv();
const service = `facts${randomBytes(3).toString('hex')}`;
const scheduler = createSwarmScheduler(createDockerClient(env.dockerHost), { intervalMs: 200 });

describe('swarm scheduler: the engine\'s rules', { timeout: 120_000 }, () => {
  let swarm: SwarmEngine;
  before(async () => {
    swarm = await startSwarmEngine();
  });
  after(async () => swarm?.stop());

  it('an update at a stale version (update out of sequence) is read again and retried', async () => {
    const id = await createService(swarm.docker, {
      Name: `${service}-stale`, Labels: {},
      TaskTemplate: { ContainerSpec: { Image: 'local/none@sha256:' + '1'.repeat(64) }, Networks: [{ Target: 'host' }] },
      Mode: { Replicated: { Replicas: 0 } },
    }, undefined);
    const refused: unknown[] = [];
    let raced = false;
    const real = swarm.docker.getService(id);
    // Someone else writes between our read and our update, as the manager itself does on each update step.
    const racing = Object.assign(Object.create(swarm.docker) as Docker, {
      getService: () => ({
        async inspect() {
          const info = (await real.inspect()) as Docker.Service;
          if (!raced) {
            raced = true;
            await real.update({ _query: { version: info.Version?.Index }, _body: { ...info.Spec, Labels: { meanwhile: 'yes' } } } as never);
          }
          return info;
        },
        update: (body: unknown) => real.update(body as never).catch((err: unknown) => {
          refused.push(err);
          throw err;
        }),
      }),
    });
    const current = (await real.inspect()) as Docker.Service;
    await updateService(racing, id, { spec: { ...current.Spec, Labels: { ours: 'yes' } } }, undefined);
    assert.equal(refused.length, 1, 'the engine refused the stale version once');
    assert.ok(isOutOfSequence(refused[0]), String(refused[0]));
    assert.deepEqual(((await real.inspect()) as Docker.Service).Spec?.Labels, { ours: 'yes' });
  });

  it('an engine that is not a swarm manager fails the deploy as SWARM_NOT_MANAGER, saying so', async () => {
    const image: PushedImage = { repository: `${env.registry}/${service}`, tag: 'git-1111111', digest: `sha256:${'1'.repeat(64)}` };
    const release = swarmRelease(service, 'production', image, { host: env.dockerHost, port: await freePort() });
    const err = await scheduler.deploy(release, memoryLog(), { deadlineMs: 5_000 }).then(() => undefined, (e: unknown) => e);
    assert.ok(isSlipwayError(err, 'SWARM_NOT_MANAGER'), String(err));
    assert.equal(err.retryable, false);
    assert.match(err.message, /is not a swarm manager: it is not part of a swarm/);
  });

  it('slipway doctor says whether each engine a swarm block deploys through is a manager', async () => {
    const deploying = (host: string) => ({ deploy: [{ scheduler: 'swarm', settings: { host, port: 8080 } }] }) as unknown as Pipeline;
    const results = await checkSwarms([deploying(swarm.dockerHost), deploying(env.dockerHost)], undefined, (host) => createDockerClient(host));
    assert.deepEqual(results.map((r) => r.outcome), ['ok', 'fail'], JSON.stringify(results));
    assert.match(results[1]!.detail, /is not a swarm manager: it is not part of a swarm/);
  });

  it('without wget or curl in the image, Slipway probes the health path, and asks for the rollback when it never answers', async () => {
    const port = await freePort();
    const [v1, silent] = [await publishSite(service, 'probed', { wget: false }), await publishSite(service, 'silent', { wget: false, healthy: false })];
    const deploy = async (image: PushedImage, deadlineMs: number) => {
      const log = memoryLog();
      const result = await scheduler.deploy(swarmRelease(service, 'probe', image, { host: swarm.dockerHost, port }), log, { deadlineMs });
      return { log, result };
    };
    const first = await deploy(v1, 30_000);
    assert.equal(first.result.outcome, 'succeeded', first.log.text());
    assert.match(first.log.text(), /Health: Slipway probes \/index.html/);
    const bad = await deploy(silent, 10_000);
    assert.equal(bad.result.outcome, 'rolled_back', bad.log.text());
    assert.match(bad.result.detail, /health check \/index.html did not answer 2xx within 10s/, bad.log.text());
    assert.match(bad.log.text(), /asking the engine to roll back/);
    assert.equal(await pageAt(port), 'probed');
  });
});
