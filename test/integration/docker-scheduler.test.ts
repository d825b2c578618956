/**
 * The `docker` scheduler adapter against a real engine and registry: images FROM local/busybox
 * that serve /www with busybox httpd on 127.0.0.1:$PORT (host network), rolled out, replaced,
 * left alone, rolled back and failed. Run with `npm test -- test/integration/docker-scheduler.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { imageTag, pinnedName, type PushedImage } from '../../src/core/image.ts';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../../src/docker/image-pusher.ts';
import { createStaticCredentials } from '../../src/registries/static-credentials.ts';
import { createDockerScheduler } from '../../src/schedulers/docker/docker-scheduler.ts';
import { buildContext } from '../support/build-context.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { memoryLog } from '../support/memory-log.ts';

const env = testEnv();
const docker = createDockerClient(env.dockerHost);
const service = `web${randomBytes(3).toString('hex')}`;
const scheduler = createDockerScheduler(docker, { healthIntervalMs: 100 });
const DEADLINE_MS = 20_000;

/** sh (PID 1) traps TERM so a stop is quick; httpd serves /www on 127.0.0.1:$PORT. */
const SERVE = `CMD ["sh", "-c", "trap 'exit 0' TERM; busybox httpd -f -p 127.0.0.1:$PORT -h /www & wait"]`;

/** Builds an image from a Dockerfile body and pushes it: what the build pipeline hands a deploy. */
async function publish(name: string, dockerfile: string): Promise<PushedImage> {
  const sha = randomBytes(20).toString('hex');
  const built = await createDockerImageBuilder(docker).build({
    context: buildContext({ Dockerfile: `FROM local/busybox\n${dockerfile}\n` }),
    dockerfile: 'Dockerfile',
    image: { repository: `${env.registry}/${service}-${name}`, tag: imageTag(sha) },
    labels: { 'org.opencontainers.image.revision': sha },
  }, memoryLog());
  return createDockerImagePusher(docker, createStaticCredentials(undefined)).push(built, memoryLog());
}

const site = (content: string) => `RUN mkdir -p /www && echo '${content}' > /www/index.html\n${SERVE}`;

function release(image: PushedImage, environment: string, port: number, extra: Record<string, unknown> = {}): Release {
  return {
    service, environment, image, sha: image.tag.slice(4), buildId: `b-${image.tag}`,
    settings: { port, health_path: '/index.html', ...extra },
  };
}

async function get(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/index.html`, { headers: { connection: 'close' } });
  assert.equal(res.status, 200);
  return (await res.text()).trim();
}

/** Every container of this test's service, by name (without the leading slash). */
async function containers(): Promise<Map<string, { image: string; state: string; labels: Record<string, string> }>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`slipway.service=${service}`] } });
  return new Map(list.map((c) => [(c.Names[0] ?? '').slice(1), { image: c.Image, state: c.State, labels: c.Labels }]));
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(2)}s`;

describe('docker scheduler', () => {
  const images = {} as Record<'one' | 'two' | 'silent' | 'crash' | 'pulled', PushedImage>;
  let port: number;
  const name = `slipway-${service}-production`;

  before(async () => {
    port = await freePort();
    images.one = await publish('site', site('release one'));
    images.two = await publish('site', site('release two'));
    images.silent = await publish('silent', 'CMD ["sleep", "1000"]');
    images.crash = await publish('crash', 'CMD ["sh", "-c", "echo starting up; echo fatal: DATABASE_URL is not set >&2; exit 3"]');
    images.pulled = await publish('pulled', site('release pulled'));
    // the engine forgets this one, so deploying it has to pull it from the registry
    await docker.getImage(images.pulled.id!).remove({ force: true });
  });

  after(async () => {
    const list = await docker.listContainers({ all: true, filters: { label: [`slipway.service=${service}`] } });
    await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  });

  it('first deploy: runs the pinned image, healthy, serves the content', async (t) => {
    const log = memoryLog();
    const started = Date.now();
    const deployment = await scheduler.deploy(release(images.one, 'production', port, { env: { GREETING: 'hi' } }), log, { deadlineMs: DEADLINE_MS });
    t.diagnostic(`first deploy took ${seconds(started)}: ${deployment.detail}`);
    assert.equal(deployment.outcome, 'succeeded', log.text());
    assert.match(deployment.detail, /^healthy after \d+(\.\d)?m?s$/);
    assert.equal(deployment.previous, undefined);
    assert.equal(await get(port), 'release one');
    const running = (await containers()).get(name);
    assert.equal(running?.state, 'running');
    assert.equal(running?.image, pinnedName(images.one));
    const slipwayLabels = Object.fromEntries(Object.entries(running?.labels ?? {}).filter(([k]) => k.startsWith('slipway.')));
    assert.deepEqual(slipwayLabels, {
      'slipway.service': service, 'slipway.environment': 'production', 'slipway.image': `${images.one.repository}:${images.one.tag}`,
      'slipway.sha': images.one.tag.slice(4), 'slipway.build': `b-${images.one.tag}`,
      'slipway.settings': running?.labels['slipway.settings'],
    });
    assert.match(running?.labels['slipway.settings'] ?? '', /^[0-9a-f]{12}$/);
    const info = await docker.getContainer(name).inspect();
    assert.deepEqual(info.Config.Env?.filter((e) => /^(GREETING|PORT)=/.test(e)).sort(), ['GREETING=hi', `PORT=${port}`]);
    assert.equal(info.HostConfig.NetworkMode, 'host');
    assert.equal(info.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    assert.ok(log.lines.includes(`Waiting for http://127.0.0.1:${port}/index.html`), log.text());
  });

  it('second deploy of a new image: the content changes and nothing of the old release is left', async (t) => {
    const log = memoryLog();
    const started = Date.now();
    const deployment = await scheduler.deploy(release(images.two, 'production', port), log, { deadlineMs: DEADLINE_MS });
    t.diagnostic(`replacing deploy took ${seconds(started)}: ${deployment.detail}`);
    assert.equal(deployment.outcome, 'succeeded', log.text());
    assert.equal(deployment.previous, pinnedName(images.one));
    assert.equal(await get(port), 'release two');
    assert.deepEqual([...(await containers()).keys()], [name]);
    assert.ok(log.lines.includes(`Stopping ${images.one.tag} (previous release)`), log.text());
    assert.ok(log.lines.includes(`Starting ${images.two.tag}`), log.text());
  });

  it('deploying the image that already runs is a no-op', async () => {
    const before = await docker.getContainer(name).inspect();
    const deployment = await scheduler.deploy(release(images.two, 'production', port), memoryLog(), { deadlineMs: DEADLINE_MS });
    assert.deepEqual(deployment, { outcome: 'succeeded', detail: 'already running' });
    const after = await docker.getContainer(name).inspect();
    assert.equal(after.Id, before.Id);
    assert.equal(after.State.StartedAt, before.State.StartedAt);
  });

  it('the same image with changed settings is rolled out again, with the new environment', async () => {
    const before = await docker.getContainer(name).inspect();
    const deployment = await scheduler.deploy(release(images.two, 'production', port, { env: { GREETING: 'changed' } }), memoryLog(), { deadlineMs: DEADLINE_MS });
    assert.equal(deployment.outcome, 'succeeded', deployment.detail);
    assert.notEqual(deployment.detail, 'already running');
    const after = await docker.getContainer(name).inspect();
    assert.notEqual(after.Id, before.Id);
    assert.ok(after.Config.Env.includes('GREETING=changed'));
  });

  it('an image that starts but never answers: rolled back after the deadline, the previous release answers again', async (t) => {
    const log = memoryLog();
    const started = Date.now();
    const deployment = await scheduler.deploy(release(images.silent, 'production', port), log, { deadlineMs: 1_500 });
    t.diagnostic(`rolled-back deploy took ${seconds(started)}: ${deployment.detail}`);
    assert.equal(deployment.outcome, 'rolled_back', log.text());
    assert.equal(deployment.detail, 'health check /index.html did not answer 2xx within 1.5s: connection refused');
    assert.equal(deployment.previous, pinnedName(images.two));
    assert.equal(await get(port), 'release two');
    const left = await containers();
    assert.deepEqual([...left.keys()], [name]);
    assert.equal(left.get(name)?.image, pinnedName(images.two));
    assert.ok(log.lines.includes(`Rolling back to ${images.two.tag}`), log.text());
  });

  it('an image that exits at once: rolled back without waiting out the deadline, with its exit code and output', async (t) => {
    const log = memoryLog();
    const started = Date.now();
    const deployment = await scheduler.deploy(release(images.crash, 'production', port), log, { deadlineMs: 15_000 });
    t.diagnostic(`crash rollback took ${seconds(started)}: ${deployment.detail}`);
    assert.equal(deployment.outcome, 'rolled_back', log.text());
    assert.match(deployment.detail, /^the container exited with code 3 before health check \/index.html answered 2xx; last output: fatal: DATABASE_URL is not set$/);
    assert.ok(log.lines.includes('  | starting up'), log.text());
    assert.equal(await get(port), 'release two');
  });

  it('pulls the pinned image from the registry when the engine does not have it', async () => {
    const log = memoryLog();
    const deployment = await scheduler.deploy(release(images.pulled, 'production', port), log, { deadlineMs: DEADLINE_MS });
    assert.equal(deployment.outcome, 'succeeded', log.text());
    assert.ok(log.lines.includes(`Pulling ${pinnedName(images.pulled)}`), log.text());
    assert.equal(await get(port), 'release pulled');
  });

  it('after an interrupted rollout (release stopped and kept as -previous), a failing deploy rolls back to it', async () => {
    await docker.getContainer(name).stop({ t: 5 });
    await docker.getContainer(name).rename({ name: `${name}-previous` });
    const log = memoryLog();
    const deployment = await scheduler.deploy(release(images.silent, 'production', port), log, { deadlineMs: 1_000 });
    assert.equal(deployment.outcome, 'rolled_back', log.text());
    assert.equal(deployment.previous, pinnedName(images.pulled));
    assert.equal(await get(port), 'release pulled');
    assert.deepEqual([...(await containers()).keys()], [name]);
  });

  it('first-ever deploy that is not healthy: failed, and no container is left', async () => {
    const log = memoryLog();
    const otherPort = await freePort();
    const deployment = await scheduler.deploy(release(images.silent, 'staging', otherPort), log, { deadlineMs: 1_000 });
    assert.equal(deployment.outcome, 'failed', log.text());
    assert.match(deployment.detail, /^health check \/index.html did not answer 2xx within 1s: connection refused$/);
    assert.equal([...(await containers()).keys()].filter((n) => n.includes('staging')).length, 0);
    assert.ok(log.lines.includes('No previous release to roll back to'), log.text());
  });

  it('an image the registry does not have: SCHEDULER_REJECTED with Docker\'s message; the running release is untouched', async () => {
    const unknown = { ...images.two, digest: `sha256:${'0'.repeat(64)}` };
    const before = await docker.getContainer(name).inspect();
    await assert.rejects(scheduler.deploy(release(unknown, 'production', port), memoryLog(), { deadlineMs: DEADLINE_MS }), (err: unknown) => {
      assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
      assert.match(err.message, /manifest unknown|not found/);
      return true;
    });
    assert.equal((await docker.getContainer(name).inspect()).Id, before.Id);
  });

  it('settings that do not validate: SCHEDULER_REJECTED', async () => {
    await assert.rejects(
      scheduler.deploy(release(images.two, 'production', port, { health_path: 'no-slash' }), memoryLog(), { deadlineMs: DEADLINE_MS }),
      (err: unknown) => isSlipwayError(err, 'SCHEDULER_REJECTED') && /health_path/.test(err.message),
    );
  });

  it('an engine that cannot be reached: SCHEDULER_UNREACHABLE (retryable)', async () => {
    const gone = createDockerScheduler(createDockerClient('unix:///tmp/slipway-no-such-engine.sock'));
    await assert.rejects(gone.deploy(release(images.two, 'production', port), memoryLog(), { deadlineMs: DEADLINE_MS }), (err: unknown) => {
      assert.ok(isSlipwayError(err, 'SCHEDULER_UNREACHABLE'), String(err));
      assert.equal(err.retryable, true);
      return true;
    });
  });

  it('probes health where the engine runs: an engine reached over TCP on another address', async (t) => {
    // The engine's socket, served on 127.0.0.2 as a remote Docker host would be; the release
    // listens on that address only, so a probe of this machine (127.0.0.1) finds nothing.
    const socketPath = env.dockerHost.replace(/^unix:\/\//, '');
    const forward = net.createServer((client) => {
      const engine = net.connect(socketPath);
      client.pipe(engine).pipe(client);
      const close = () => (client.destroy(), engine.destroy());
      client.on('error', close);
      engine.on('error', close);
    });
    await new Promise<void>((resolve) => forward.listen(0, '127.0.0.2', resolve));
    t.after(() => new Promise<void>((resolve) => forward.close(() => resolve())));
    const remote = createDockerScheduler(createDockerClient(`tcp://127.0.0.2:${(forward.address() as net.AddressInfo).port}`), { healthIntervalMs: 100 });
    const image = await publish('remote', `RUN mkdir -p /www && echo remote > /www/index.html\nCMD ["sh", "-c", "trap 'exit 0' TERM; busybox httpd -f -p 127.0.0.2:$PORT -h /www & wait"]`);
    const remotePort = await freePort();
    t.after(() => docker.getContainer(`slipway-${service}-remote`).remove({ force: true }).catch(() => undefined));
    const log = memoryLog();
    const deployment = await remote.deploy(release(image, 'remote', remotePort), log, { deadlineMs: 10_000 });
    assert.equal(deployment.outcome, 'succeeded', `${deployment.detail}\n${log.lines.join('\n')}`);
    assert.ok(log.lines.some((l) => l.includes(`Waiting for http://127.0.0.2:${remotePort}/index.html`)), log.lines.join('\n'));
  });
});
