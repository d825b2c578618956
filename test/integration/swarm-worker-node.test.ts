/**
 * A worker node of a real swarm (a second engine joined to the first): services can only be
 * changed through a manager, so a deploy through the worker, and `slipway doctor`, say it is a
 * worker node and point at a manager, before anything changes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkSwarms } from '../../src/cli/doctor-swarm.ts';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createSwarmScheduler } from '../../src/schedulers/swarm/swarm-scheduler.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { memoryLog } from '../support/memory-log.ts';
import { startSwarmEngine, startSwarmWorker, type SwarmEngine } from '../support/swarm-engine.ts';
import { swarmRelease } from '../support/swarm-release.ts';

const env = testEnv();
const service = `worker${randomBytes(3).toString('hex')}`;

describe('swarm scheduler: a worker node', { timeout: 120_000 }, () => {
  let manager: SwarmEngine;
  let worker: SwarmEngine;
  before(async () => {
    manager = await startSwarmEngine();
    worker = await startSwarmWorker(manager);
  });
  after(async () => {
    await worker?.stop();
    await manager?.stop();
  });

  it('a deploy through a worker node fails as SWARM_NOT_MANAGER, saying it is a worker, and creates nothing', async () => {
    const scheduler = createSwarmScheduler(createDockerClient(env.dockerHost), { intervalMs: 200 });
    const image = { repository: `${env.registry}/${service}`, tag: 'git-1111111', digest: `sha256:${'1'.repeat(64)}` };
    const release = swarmRelease(service, 'production', image, { host: worker.dockerHost, port: await freePort() });
    const err = await scheduler.deploy(release, memoryLog(), { deadlineMs: 5_000 }).then(() => undefined, (e: unknown) => e);
    assert.ok(isSlipwayError(err, 'SWARM_NOT_MANAGER'), String(err));
    assert.equal(err.retryable, false);
    assert.match(err.message, /is not a swarm manager: it is a worker node, which cannot change services\. Set swarm\.host to a manager/);
    assert.deepEqual(await manager.docker.listServices(), []);
  });

  it('slipway doctor tells the worker from the manager', async () => {
    const deploying = (host: string) => ({ deploy: [{ scheduler: 'swarm', settings: { host, port: 8080 } }] }) as unknown as Pipeline;
    const results = await checkSwarms([deploying(manager.dockerHost), deploying(worker.dockerHost)], undefined, (host) => createDockerClient(host));
    assert.deepEqual(results.map((r) => r.outcome), ['ok', 'fail'], JSON.stringify(results));
    assert.match(results[1]!.detail, /it is a worker node/);
  });
});
