/**
 * The `fleet` adapter against the fleet API v1 emulator (units really run on the test engine),
 * beyond the shared contract: fleet's unix socket and paging, the one-at-a-time rolling order,
 * a unit that crashes, a unit no machine can take, scaling down, a first deploy that fails, and
 * fleet's own refusals. Run with `npm test -- test/integration/fleet-scheduler.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { imageTag, pinnedName, type PushedImage } from '../../src/core/image.ts';
import type { Deployment, Release } from '../../src/core/ports/scheduler.ts';
import { createFleetScheduler } from '../../src/schedulers/fleet/fleet-scheduler.ts';
import { startFleetEmulator, type FleetEmulator } from '../emulators/fleet.ts';
import { freePort } from '../support/free-port.ts';
import { publishSite } from '../support/images.ts';
import { memoryLog, type MemoryLog } from '../support/memory-log.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../../src/docker/image-pusher.ts';
import { createStaticCredentials } from '../../src/registries/static-credentials.ts';
import { buildContext } from '../support/build-context.ts';
import { testEnv } from '../support/env.ts';

const service = `fleet${randomBytes(3).toString('hex')}`;
const DEADLINE_MS = 8_000;

/** An image that starts, says why it cannot run, and exits 3. */
async function publishCrash(repository: string): Promise<PushedImage> {
  const env = testEnv();
  const docker = createDockerClient(env.dockerHost);
  const sha = randomBytes(20).toString('hex');
  const built = await createDockerImageBuilder(docker).build({
    context: buildContext({ Dockerfile: 'FROM local/busybox\nCMD ["sh", "-c", "echo fatal: DATABASE_URL is not set >&2; exit 3"]\n' }),
    dockerfile: 'Dockerfile',
    image: { repository: `${env.registry}/${repository}`, tag: imageTag(sha) },
    labels: { 'org.opencontainers.image.revision': sha },
  }, memoryLog());
  return createDockerImagePusher(docker, createStaticCredentials(undefined)).push(built, memoryLog());
}

describe('fleet scheduler', { timeout: 300_000 }, () => {
  let fleet: FleetEmulator;
  let port: number;
  const images = {} as Record<'one' | 'two' | 'crash', PushedImage>;
  const socketPath = join(tmpdir(), `fleet-sched-${process.pid}.sock`);

  before(async () => {
    // machine 1 and 2 are web machines, machine 3 is not; lists come one item a page
    fleet = await startFleetEmulator({ machines: [{ metadata: { role: 'web' } }, { metadata: { role: 'web' } }, { metadata: { role: 'db' } }], pageSize: 1, socketPath });
    port = await freePort();
    images.one = await publishSite(service, 'release one');
    images.two = await publishSite(service, 'release two');
    images.crash = await publishCrash(service);
  });
  after(() => fleet?.close());

  const scheduler = () => createFleetScheduler({ endpoint: fleet.socketUrl! }, { pollIntervalMs: 100 });
  const settings = (extra: Record<string, unknown> = {}) => ({ instances: 2, port, health_path: '/index.html', machine_metadata: { role: 'web' }, ...extra });
  const release = (image: PushedImage, s: Record<string, unknown> = settings(), environment = 'production'): Release => ({
    service, environment, image, sha: image.tag.slice(4).padEnd(40, '0'), buildId: image.tag, settings: s,
  });
  const deploy = async (r: Release, log: MemoryLog = memoryLog(), deadlineMs = DEADLINE_MS): Promise<Deployment & { ms: number }> => {
    const started = Date.now();
    const result = await scheduler().deploy(r, log, { deadlineMs });
    return { ...result, ms: Date.now() - started };
  };
  const pages = async () => Promise.all(['127.0.0.1', '127.0.0.2'].map(async (ip) => (await (await fetch(`http://${ip}:${port}/index.html`)).text()).trim()));
  const unitNames = (prefix = `${service}-production@`) => fleet.units().map((u) => u.name).filter((n) => n.startsWith(prefix));

  it('rolls a first release out to two web machines over fleet\'s unix socket, following every page', async (t) => {
    const log = memoryLog();
    const result = await deploy(release(images.one), log);
    t.diagnostic(`first rollout of 2 instances: ${result.ms} ms`);
    assert.equal(result.outcome, 'succeeded', result.detail);
    assert.equal(result.detail, '2 instances active/running and healthy');
    assert.equal(result.previous, undefined);
    assert.deepEqual(await pages(), ['release one', 'release one']);
    assert.deepEqual(unitNames(), [`${service}-production@1.service`, `${service}-production@2.service`]);
    assert.ok(fleet.requests.some((r) => r.path.includes('nextPageToken=')), 'lists were paged');
    assert.ok(fleet.requests.filter((r) => r.method === 'PUT').every((r) => r.contentTypes.length === 1 && r.contentTypes[0] === 'application/json'));
    assert.match(log.text(), new RegExp(`fleet has no units of ${service}-production yet`));
    assert.match(log.text(), /is active\/running on machine [0-9a-f]{8} \(127\.0\.0\.[12]\); waiting for http:\/\/127\.0\.0\.[12]:\d+\/index\.html/);
  });

  it('replaces one instance at a time: inactive → DELETE → PUT launched, the next only once the first is healthy', async (t) => {
    const from = fleet.requests.length;
    const result = await deploy(release(images.two));
    t.diagnostic(`rolling update of 2 instances: ${result.ms} ms`);
    assert.equal(result.outcome, 'succeeded', result.detail);
    assert.equal(result.previous, pinnedName(images.one));
    assert.deepEqual(await pages(), ['release two', 'release two']);
    const writes = fleet.requests.slice(from).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.split('/').pop()} ${r.method === 'PUT' ? JSON.parse(r.body).desiredState : ''}`.trim());
    const [u1, u2] = [`${service}-production@1.service`, `${service}-production@2.service`];
    assert.deepEqual(writes, [`PUT ${u1} inactive`, `DELETE ${u1}`, `PUT ${u1} launched`, `PUT ${u2} inactive`, `DELETE ${u2}`, `PUT ${u2} launched`]);
    const launch1 = fleet.requests.findIndex((r, i) => i >= from && r.method === 'PUT' && r.path.endsWith(u1) && r.body.includes('launched'));
    const stop2 = fleet.requests.findIndex((r, i) => i >= from && r.method === 'PUT' && r.path.endsWith(u2));
    assert.ok(fleet.requests.slice(launch1, stop2).some((r) => r.path.includes(`state?unitName=${encodeURIComponent(u1)}`)), 'polled @1 before touching @2');
  });

  it('rolls back a release whose unit fails, with fleet\'s own states, leaving the second instance alone', async (t) => {
    const log = memoryLog();
    const from = fleet.requests.length;
    const result = await deploy(release(images.crash), log);
    t.diagnostic(`crash → rolled back in ${result.ms} ms`);
    assert.equal(result.outcome, 'rolled_back', result.detail);
    assert.match(result.detail, new RegExp(`^unit ${service}-production@1\\.service failed: systemdActiveState=failed, systemdSubState=failed`));
    assert.equal(result.previous, pinnedName(images.two));
    assert.deepEqual(await pages(), ['release two', 'release two']);
    assert.ok(!fleet.requests.slice(from).some((r) => r.method !== 'GET' && r.path.endsWith('@2.service')), '@2 was never touched');
    assert.match(log.text(), /Restoring .*@1\.service \(git-[0-9a-f]{7}\)/);
    assert.match(log.text(), /@1\.service runs git-[0-9a-f]{7} again/);
  });

  it('rolls back when no machine can take an instance (Conflicts with one web machine), saying so', async () => {
    const result = await deploy(release(images.one, settings({ machine_metadata: { role: 'db' } })));
    assert.equal(result.outcome, 'rolled_back', result.detail);
    assert.match(result.detail, /@2\.service did not become active\/running within [\d.]+s: no machine took it/);
    assert.deepEqual(await pages(), ['release two', 'release two']);
  });

  it('is a no-op for the running release, and scales down when instances shrink', async () => {
    const same = await deploy(release(images.two));
    assert.deepEqual([same.outcome, same.detail], ['succeeded', 'already running']);
    const log = memoryLog();
    const fewer = await deploy(release(images.two, settings({ instances: 1 })), log);
    assert.deepEqual([fewer.outcome, fewer.detail], ['succeeded', 'already running']);
    assert.deepEqual(unitNames(), [`${service}-production@1.service`]);
    assert.match(log.text(), /Scaling down: removing .*@2\.service/);
    assert.equal((await fleet.runningImages(`${service}-production@`)).size, 1);
  });

  it('fails a first release that never runs, and leaves nothing behind', async () => {
    const result = await deploy(release(images.crash, settings({ instances: 1 }), 'staging'));
    assert.equal(result.outcome, 'failed', result.detail);
    assert.match(result.detail, /staging@1\.service failed: systemdActiveState=failed/);
    assert.deepEqual(unitNames(`${service}-staging@`), []);
  });

  it('tells fleet being down (5xx) from fleet refusing (4xx), with fleet\'s message, keeping what runs', async () => {
    fleet.failNextPut(500, 'fleet server unable to communicate with etcd');
    const down = await deploy(release(images.one, settings({ instances: 1 }))).catch((e: unknown) => e);
    assert.ok(isSlipwayError(down, 'SCHEDULER_UNREACHABLE') && down.retryable, String(down));
    assert.match(down.message, /fleet server unable to communicate with etcd \(HTTP 500\)/);
    fleet.failNextPut(409, 'must provide DesiredState to update existing unit');
    const refused = await deploy(release(images.one, settings({ instances: 1 }))).catch((e: unknown) => e);
    assert.ok(isSlipwayError(refused, 'SCHEDULER_REJECTED') && !refused.retryable, String(refused));
    assert.match(refused.message, /must provide DesiredState/);
    assert.equal(await fleet.runningImage(`${service}-production@`), pinnedName(images.two));
  });

  it('refuses invalid settings before asking fleet anything', async () => {
    const from = fleet.requests.length;
    const err = await deploy(release(images.one, { port, env: { PORT: '1' } })).catch((e: unknown) => e);
    assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
    assert.match((err as Error).message, /invalid fleet settings: env\.PORT: PORT is set from port/);
    assert.equal(fleet.requests.length, from);
  });
});
