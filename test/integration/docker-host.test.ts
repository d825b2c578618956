/**
 * `docker.host`: the `docker` scheduler deploys each environment on the engine its block names,
 * here a second real engine of this test's own (empty: it gets the release image by pulling it
 * from the test registry, with the registry's credentials), and on the worker's DOCKER_HOST when
 * the block names none. `slipway doctor` pings each engine a pipeline names.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { checkDockerHosts } from '../../src/cli/doctor-scheduler-checks.ts';
import { isSlipwayError } from '../../src/core/errors.ts';
import { imageTag, pinnedName, type PushedImage } from '../../src/core/image.ts';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../../src/docker/image-pusher.ts';
import { createStaticCredentials } from '../../src/registries/static-credentials.ts';
import { createDockerScheduler } from '../../src/schedulers/docker/docker-scheduler.ts';
import { findContainer } from '../../src/schedulers/docker/named-containers.ts';
import { buildContext } from '../support/build-context.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { memoryLog } from '../support/memory-log.ts';
import { startSecondEngine, type SecondEngine } from '../support/second-engine.ts';

const env = testEnv();
const workerEngine = createDockerClient(env.dockerHost);
const service = `host${randomBytes(3).toString('hex')}`;
const DEADLINE_MS = 20_000;
/** the registry needs these for a pull too: the engine that pulls gets them from the scheduler */
const credentials = createStaticCredentials({ username: env.authUsername, password: env.authPassword, serveraddress: env.authRegistry });

/** busybox httpd serves /www on <address>:$PORT; sh (PID 1) traps TERM so a stop is quick. */
const serving = (page: string, address = '127.0.0.1') =>
  `RUN mkdir -p /www && echo '${page}' > /www/index.html\nCMD ["sh", "-c", "trap 'exit 0' TERM; busybox httpd -f -p ${address}:$PORT -h /www & wait"]`;
/** Runs, but never answers: a release that never becomes healthy. */
const SILENT = `CMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;

/** Built on the worker's engine and pushed to the registry that wants credentials, as a build would. */
async function publish(name: string, dockerfile: string): Promise<PushedImage> {
  const sha = randomBytes(20).toString('hex');
  const built = await createDockerImageBuilder(workerEngine).build({
    context: buildContext({ Dockerfile: `FROM local/busybox\n${dockerfile}\n` }),
    dockerfile: 'Dockerfile',
    image: { repository: `${env.authRegistry}/${service}-${name}`, tag: imageTag(sha) },
    labels: { 'org.opencontainers.image.revision': sha },
  }, memoryLog());
  return createDockerImagePusher(workerEngine, credentials).push(built, memoryLog());
}

function release(image: PushedImage, environment: string, settings: Record<string, unknown>): Release {
  return { service, environment, image, sha: image.tag.slice(4), buildId: `b-${image.tag}`, settings: { health_path: '/index.html', ...settings } };
}

async function page(address: string, port: number): Promise<string> {
  const res = await fetch(`http://${address}:${port}/index.html`, { headers: { connection: 'close' } });
  assert.equal(res.status, 200);
  return (await res.text()).trim();
}

/** A TCP address for an engine that listens on a socket: what `tcp://` would reach on another host. */
async function tcpFront(address: string, socketPath: string): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const engine = net.connect(socketPath);
    for (const s of [client, engine]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); engine.destroy(); });
    }
    client.pipe(engine).pipe(client);
  });
  server.listen(0, address);
  await once(server, 'listening');
  return {
    url: `tcp://${address}:${(server.address() as net.AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('docker.host: deploying on the engine a pipeline names', { timeout: 240_000 }, () => {
  let other: SecondEngine;
  const images = {} as Record<'one' | 'silent' | 'elsewhere', PushedImage>;
  const connected: string[] = [];
  const scheduler = createDockerScheduler(workerEngine, {
    healthIntervalMs: 100,
    registryCredentials: credentials,
    connect: (host) => {
      connected.push(host);
      return createDockerClient(host);
    },
  });
  const name = (environment: string) => `slipway-${service}-${environment}`;

  before(async () => {
    other = await startSecondEngine();
    images.one = await publish('site', serving('release one'));
    images.silent = await publish('silent', SILENT);
    images.elsewhere = await publish('elsewhere', serving('on 127.0.0.2', '127.0.0.2'));
  });

  after(async () => {
    const mine = await workerEngine.listContainers({ all: true, filters: { label: [`slipway.service=${service}`] } });
    await Promise.all(mine.map((c) => workerEngine.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    await other?.stop(); // its containers go with it
  });

  let port: number;

  it('pulls the pinned image on that engine with the registry credentials, runs it there (not on the worker\'s), and finds it healthy', async () => {
    port = await freePort();
    const log = memoryLog();
    assert.equal(await findImage(other, images.one), false, 'the second engine starts without the image');
    const deployment = await scheduler.deploy(release(images.one, 'production', { host: other.dockerHost, port }), log, { deadlineMs: DEADLINE_MS });
    assert.equal(deployment.outcome, 'succeeded', log.text());
    assert.equal(log.lines[0], `Deploying on ${other.dockerHost} (docker.host)`);
    assert.ok(log.lines.includes(`Pulling ${pinnedName(images.one)}`), log.text());
    const running = await findContainer(other.docker, name('production'));
    assert.equal(running?.running, true);
    assert.equal(running?.image, pinnedName(images.one));
    assert.equal(await findContainer(workerEngine, name('production')), undefined);
    assert.equal(await page('127.0.0.1', port), 'release one');
    assert.doesNotMatch(log.text(), new RegExp(env.authPassword));
  });

  it('rolls a release that never becomes healthy back on that engine, to the container it kept there', async () => {
    const log = memoryLog();
    const deployment = await scheduler.deploy(release(images.silent, 'production', { host: other.dockerHost, port }), log, { deadlineMs: 3_000 });
    assert.equal(deployment.outcome, 'rolled_back', log.text());
    assert.equal(deployment.previous, pinnedName(images.one));
    assert.ok(log.lines.includes(`Rolling back to ${images.one.tag}`), log.text());
    const back = await findContainer(other.docker, name('production'));
    assert.equal(back?.image, pinnedName(images.one));
    assert.equal(back?.running, true);
    for (const leftover of ['-next', '-previous']) assert.equal(await findContainer(other.docker, `${name('production')}${leftover}`), undefined, leftover);
    assert.deepEqual(await workerEngine.listContainers({ all: true, filters: { label: [`slipway.service=${service}`] } }), []);
  });

  it('without docker.host deploys on the worker\'s DOCKER_HOST', async () => {
    const port = await freePort();
    const log = memoryLog();
    const deployment = await scheduler.deploy(release(images.one, 'staging', { port }), log, { deadlineMs: DEADLINE_MS });
    assert.equal(deployment.outcome, 'succeeded', log.text());
    assert.equal(log.lines[0], `Deploying on ${env.dockerHost} (DOCKER_HOST)`);
    assert.equal((await findContainer(workerEngine, name('staging')))?.running, true);
    assert.equal(await findContainer(other.docker, name('staging')), undefined);
    assert.equal(await page('127.0.0.1', port), 'release one');
  });

  it('probes a tcp:// engine\'s release at that engine\'s host, where it listens', async () => {
    const front = await tcpFront('127.0.0.2', other.socketPath);
    try {
      const port = await freePort();
      const log = memoryLog();
      // the release answers on 127.0.0.2 only: a probe of this machine's 127.0.0.1 would never see it healthy
      const deployment = await scheduler.deploy(release(images.elsewhere, 'edge', { host: front.url, port }), log, { deadlineMs: DEADLINE_MS });
      assert.equal(deployment.outcome, 'succeeded', log.text());
      assert.ok(log.lines.includes(`Waiting for http://127.0.0.2:${port}/index.html`), log.text());
      assert.equal((await findContainer(other.docker, name('edge')))?.running, true);
    } finally {
      await front.close();
    }
  });

  it('made one client per engine, not one per deploy', () => {
    // two deploys on the second engine's socket, one through its TCP front, one on the worker's own engine
    assert.equal(connected.filter((h) => h === other.dockerHost).length, 1, connected.join(', '));
    assert.equal(connected.length, 2, connected.join(', '));
  });

  it('an engine docker.host names that does not answer is SCHEDULER_UNREACHABLE (retried), and the log says which', async () => {
    const log = memoryLog();
    const dead = 'unix:///nonexistent/slipway/docker.sock';
    await assert.rejects(
      scheduler.deploy(release(images.one, 'dead', { host: dead, port: 1 }), log, { deadlineMs: DEADLINE_MS }),
      (err: unknown) => isSlipwayError(err, 'SCHEDULER_UNREACHABLE') && /not reachable.*\/nonexistent\/slipway\/docker\.sock/.test((err as Error).message),
    );
    assert.deepEqual(log.lines, [`Deploying on ${dead} (docker.host)`]);
  });

  it('doctor pings each engine a docker.host names, and says what to fix for one that does not answer', async () => {
    const dead = 'unix:///nonexistent/slipway/docker.sock';
    const results = await checkDockerHosts(new Map([[other.dockerHost, ['pipelines/web.yml']], [dead, ['pipelines/api.yml', 'pipelines/jobs.yml']]]), (host) => createDockerClient(host));
    const [up, down] = results;
    assert.equal(up?.outcome, 'ok', up?.detail);
    assert.match(up?.detail ?? '', /^docker\.host in pipelines\/web\.yml, Docker \S+ \(API \d+\.\d+\)$/);
    assert.equal(down?.outcome, 'fail');
    assert.equal(down?.name, `Docker engine ${dead}`);
    assert.match(down?.detail ?? '', /cannot reach it \(docker\.host in pipelines\/api\.yml, pipelines\/jobs\.yml\): .*ENOENT.*fix docker\.host/);
  });
});

async function findImage(engine: SecondEngine, image: PushedImage): Promise<boolean> {
  return engine.docker.getImage(pinnedName(image)).inspect().then(() => true, () => false);
}
