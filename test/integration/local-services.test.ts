/**
 * The real local services that `npm test` (scripts/test.ts) starts and hands over in env vars:
 * REDIS_URL, DOCKER_HOST, SLIPWAY_TEST_REGISTRY, SLIPWAY_TEST_AUTH_REGISTRY/_USERNAME/_PASSWORD.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { Redis } from 'ioredis';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run it with \`npm test -- test/integration/local-services.test.ts\``);
  return v;
}

function socketPath(): string {
  const host = env('DOCKER_HOST');
  assert.match(host, /^unix:\/\//, 'DOCKER_HOST must be a unix socket');
  return host.slice('unix://'.length);
}

const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');

interface ProgressEvent {
  error?: string;
  errorDetail?: { message?: string };
  stream?: string;
  aux?: { Digest?: string; ID?: string };
}

function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: ProgressEvent[]) => (err ? reject(err) : resolve(events)));
  });
}

function streamError(events: ProgressEvent[]): string | undefined {
  const e = events.find((x) => x.error || x.errorDetail);
  return e ? (e.errorDetail?.message ?? e.error) : undefined;
}

async function run(docker: Docker, image: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    Tty: true,
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { exitCode: StatusCode, output: logs.toString('utf8').replace(/\r\n/g, '\n') };
  } finally {
    await container.remove({ force: true });
  }
}

async function push(docker: Docker, ref: string, auth?: { username: string; password: string; serveraddress: string }) {
  // dockerd 20.10 answers 400 "missing X-Registry-Auth" unless the header is there: send {} for anonymous
  const stream = await docker.getImage(ref).push({ authconfig: auth ?? {} });
  const events = await follow(docker, stream);
  return { error: streamError(events), digest: events.find((e) => e.aux?.Digest)?.aux?.Digest };
}

describe('local services', { timeout: 120_000 }, () => {
  let docker: Docker;

  before(() => {
    docker = new Docker({ socketPath: socketPath() });
  });

  test('redis answers PING', async () => {
    const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      assert.equal(await redis.ping(), 'PONG');
      await redis.set('slipway:local-services:smoke', 'ok', 'EX', 30);
      assert.equal(await redis.get('slipway:local-services:smoke'), 'ok');
    } finally {
      redis.disconnect();
    }
  });

  test('docker engine answers /_ping', async () => {
    const pong = (await docker.ping()) as unknown as Buffer | string;
    assert.equal(pong.toString(), 'OK');
    const info = (await docker.info()) as { Driver: string; RegistryConfig: { InsecureRegistryCIDRs: string[] } };
    assert.ok(info.Driver, 'storage driver reported');
    assert.ok(info.RegistryConfig.InsecureRegistryCIDRs.includes('127.0.0.0/8'), '127.0.0.0/8 registries are plain HTTP');
  });

  test('local/busybox exists and runs sh with --network none', async () => {
    const image = (await docker.getImage('local/busybox:latest').inspect()) as { Os: string };
    assert.equal(image.Os, 'linux');
    const { exitCode, output } = await run(docker, 'local/busybox', ['sh', '-c', 'echo hi']);
    assert.equal(exitCode, 0);
    assert.equal(output.trim(), 'hi');
  });

  test('an image built FROM local/busybox (RUN step) serves with busybox httpd and fetches with wget', async () => {
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ctx-'));
    const tag = 'local/slipway-smoke-build:1';
    try {
      fs.writeFileSync(
        path.join(ctx, 'Dockerfile'),
        ['FROM local/busybox', 'RUN mkdir -p /www && echo built-ok > /www/index.html', 'CMD ["sh"]', ''].join('\n'),
      );
      const stream = await docker.buildImage({ context: ctx, src: ['Dockerfile'] }, { t: tag, networkmode: 'none', rm: true, forcerm: true });
      const events = await follow(docker, stream);
      assert.equal(streamError(events), undefined, `build failed: ${events.map((e) => e.stream ?? '').join('')}`);
      const { exitCode, output } = await run(docker, tag, [
        'sh',
        '-c',
        'busybox httpd -p 127.0.0.1:8080 -h /www && wget -q -O - http://127.0.0.1:8080/index.html',
      ]);
      assert.equal(exitCode, 0, output);
      assert.equal(output.trim(), 'built-ok');
    } finally {
      fs.rmSync(ctx, { recursive: true, force: true });
      await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    }
  });

  test('push to the plain registry gives a digest the registry serves', async () => {
    const registry = env('SLIPWAY_TEST_REGISTRY');
    await docker.getImage('local/busybox:latest').tag({ repo: `${registry}/smoke`, tag: '1' });
    const { error, digest } = await push(docker, `${registry}/smoke:1`);
    assert.equal(error, undefined);
    assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/);
    const res = await fetch(`http://${registry}/v2/smoke/manifests/1`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-content-digest'), digest);
  });

  describe('auth registry', () => {
    let host: string;
    let username: string;
    let password: string;

    before(() => {
      host = env('SLIPWAY_TEST_AUTH_REGISTRY');
      username = env('SLIPWAY_TEST_AUTH_USERNAME');
      password = env('SLIPWAY_TEST_AUTH_PASSWORD');
    });

    test('rejects anonymous /v2/ with 401 and a Basic challenge', async () => {
      const res = await fetch(`http://${host}/v2/`);
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
    });

    test('rejects a wrong password, accepts the right one', async () => {
      assert.equal((await fetch(`http://${host}/v2/`, { headers: { Authorization: basic(username, 'wrong') } })).status, 401);
      assert.equal((await fetch(`http://${host}/v2/`, { headers: { Authorization: basic(username, password) } })).status, 200);
    });

    test('docker push needs the credentials', async () => {
      await docker.getImage('local/busybox:latest').tag({ repo: `${host}/smoke-auth`, tag: '1' });
      const anonymous = await push(docker, `${host}/smoke-auth:1`);
      assert.ok(anonymous.error, 'anonymous push must fail');
      const authed = await push(docker, `${host}/smoke-auth:1`, { username, password, serveraddress: host });
      assert.equal(authed.error, undefined);
      assert.match(authed.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    });
  });

  after(async () => {
    for (const ref of [`${process.env.SLIPWAY_TEST_REGISTRY}/smoke:1`, `${process.env.SLIPWAY_TEST_AUTH_REGISTRY}/smoke-auth:1`]) {
      await docker?.getImage(ref).remove().catch(() => undefined);
    }
  });
});
