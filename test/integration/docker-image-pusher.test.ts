/**
 * The Docker edge of a build against a real engine and real registries: ImagePusher (push, digest, auth, unreachable registry).
 * Run with `npm test -- test/integration/docker-image-pusher.test.ts`.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { taggedName, type ImageRef } from '../../src/core/image.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../../src/docker/image-pusher.ts';
import { createStaticCredentials } from '../../src/registries/static-credentials.ts';
import { buildContext } from '../support/build-context.ts';
import { docker, env, image, run, seconds } from '../support/docker-edge.ts';
import { freePort } from '../support/free-port.ts';
import { memoryLog } from '../support/memory-log.ts';

const anonymous = createStaticCredentials(undefined);
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Tags a built image under another repository, as a build for another registry would be named. */
async function retag(built: ImageRef, target: ImageRef): Promise<ImageRef> {
  await docker.getImage(built.id!).tag({ repo: target.repository, tag: target.tag });
  return { ...target, id: built.id };
}

/** The registry's own digest for a tag: `HEAD /v2/<name>/manifests/<tag>`. */
async function registryDigest(ref: ImageRef, auth?: { username: string; password: string }): Promise<string | null> {
  const [host, ...path] = ref.repository.split('/');
  const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const res = await fetch(`http://${host}/v2/${path.join('/')}/manifests/${ref.tag}`, { method: 'HEAD', headers });
  assert.equal(res.status, 200, `HEAD manifest of ${taggedName(ref)}`);
  return res.headers.get('docker-content-digest');
}

describe('ImagePusher on Docker', () => {
  let built: ImageRef;

  before(async () => {
    built = await createDockerImageBuilder(docker).build({
      context: buildContext({ Dockerfile: `FROM local/busybox\nRUN echo ${run} > /run-id\n` }),
      dockerfile: 'Dockerfile',
      image: image(env.registry, 'push'),
      labels: {},
    }, memoryLog());
  });

  it('pushes to the registry; the digest is the registry\'s Docker-Content-Digest for the tag', async (t) => {
    const log = memoryLog();
    const started = Date.now();
    const pushed = await createDockerImagePusher(docker, anonymous).push(built, log);
    t.diagnostic(`push took ${seconds(started)}`);
    assert.match(pushed.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(pushed.digest, await registryDigest(built));
    assert.deepEqual({ ...pushed, digest: undefined }, { ...built, digest: undefined });
    assert.ok(log.lines.some((l) => /^Pushed [0-9a-f]{12}$/.test(l)), log.text());
    assert.ok(log.lines.some((l) => l.includes(`digest: ${pushed.digest}`)), log.text());
    assert.ok(!log.lines.some((l) => /^(Pushing|Preparing|Waiting)\b/.test(l)), 'no progress ticks in the log');
  });

  it('pushing again is a cheap no-op with the same digest', async (t) => {
    const pusher = createDockerImagePusher(docker, anonymous);
    const first = await pusher.push(built, memoryLog());
    const log = memoryLog();
    const started = Date.now();
    const again = await pusher.push(built, log);
    t.diagnostic(`repeated push took ${seconds(started)}`);
    assert.equal(again.digest, first.digest);
    assert.ok(log.lines.some((l) => l.startsWith('Layer already exists')), log.text());
  });

  it('the auth registry without credentials is REGISTRY_DENIED (not retryable)', async () => {
    const target = await retag(built, image(env.authRegistry, 'auth'));
    await assert.rejects(createDockerImagePusher(docker, anonymous).push(target, memoryLog()), (err: unknown) => {
      assert.ok(isSlipwayError(err, 'REGISTRY_DENIED'), String(err));
      assert.match(err.message, /unauthorized|authentication required|no basic auth/i);
      assert.equal(err.retryable, false);
      return true;
    });
  });

  it('the auth registry with wrong credentials is REGISTRY_DENIED', async () => {
    const target = await retag(built, image(env.authRegistry, 'auth'));
    const pusher = createDockerImagePusher(docker, createStaticCredentials({ username: env.authUsername, password: 'wrong-password', serveraddress: env.authRegistry }));
    await assert.rejects(pusher.push(target, memoryLog()), (err: unknown) => isSlipwayError(err, 'REGISTRY_DENIED'));
  });

  it('the auth registry with credentials takes the push; the password never reaches the log', async () => {
    const target = await retag(built, image(env.authRegistry, 'auth'));
    const log = memoryLog();
    const pusher = createDockerImagePusher(docker, createStaticCredentials({ username: env.authUsername, password: env.authPassword, serveraddress: env.authRegistry }));
    const pushed = await pusher.push(target, log);
    assert.equal(pushed.digest, await registryDigest(target, { username: env.authUsername, password: env.authPassword }));
    assert.ok(!log.text().includes(env.authPassword));
  });

  it('a registry nobody listens on is REGISTRY_UNREACHABLE (retryable)', async () => {
    const target = await retag(built, image(`127.0.0.1:${await freePort()}`, 'closed'));
    await assert.rejects(createDockerImagePusher(docker, anonymous).push(target, memoryLog()), (err: unknown) => {
      assert.ok(isSlipwayError(err, 'REGISTRY_UNREACHABLE'), String(err));
      assert.match(err.message, /connection refused/);
      assert.equal(err.retryable, true);
      return true;
    });
  });
});
