/**
 * Registry credentials end to end on the Docker side: the real engine pushes to (and pulls from)
 * the real htpasswd registry with the credentials the composition root builds from the config:
 * `basic`, and `ecr` with the token from the ECR emulator (whose user/password are the htpasswd
 * pair; the test registry's user is not `AWS`, so the emulator is told which user to hand out).
 * Run with `npm test -- test/integration/registry-auth.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { isSlipwayError } from '../../src/core/errors.ts';
import { imageTag, pinnedName, type ImageRef, type PushedImage } from '../../src/core/image.ts';
import type { RegistryCredentials } from '../../src/core/ports/registry-credentials.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../../src/docker/image-pusher.ts';
import { ensureImage } from '../../src/schedulers/docker/image-puller.ts';
import { registryCredentialsFor } from '../../workers/slipway.ts';
import { startEcrEmulator, type EcrEmulator } from '../emulators/ecr.ts';
import { useFakeAwsEnv } from '../support/aws-env.ts';
import { buildContext } from '../support/build-context.ts';
import { testEnv } from '../support/env.ts';
import { memoryLog } from '../support/memory-log.ts';

const env = testEnv();
const docker = createDockerClient(env.dockerHost);
const run = randomBytes(3).toString('hex');
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(2)}s`;
const BASIC = `Basic ${Buffer.from(`${env.authUsername}:${env.authPassword}`).toString('base64')}`;

/** Builds a small image of its own (so removing it removes nothing else), named for the auth registry. */
async function buildFor(name: string): Promise<ImageRef> {
  return createDockerImageBuilder(docker).build({
    context: buildContext({ Dockerfile: `FROM local/busybox\nRUN echo ${name}-${run} > /id\n` }),
    dockerfile: 'Dockerfile',
    image: { repository: `${env.authRegistry}/slipway-auth-${name}-${run}`, tag: imageTag(randomBytes(20).toString('hex')) },
    labels: {},
  }, memoryLog());
}

/** The auth registry's own digest for a tag (HEAD with the htpasswd pair), or undefined. */
async function registryDigest(ref: ImageRef): Promise<string | undefined> {
  const [host, ...path] = ref.repository.split('/');
  const res = await fetch(`http://${host}/v2/${path.join('/')}/manifests/${ref.tag}`, {
    method: 'HEAD',
    headers: { authorization: BASIC, accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
}

/** Removes the image from the engine (every tag), so a deploy has to pull it. */
async function forget(image: ImageRef): Promise<void> {
  await docker.getImage(image.id!).remove({ force: true });
  await assert.rejects(docker.getImage(pinnedName(image as PushedImage)).inspect());
}

const config = (vars: Record<string, string>) => loadConfig({ GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: env.authRegistry, ...vars });

describe('registry auth against the htpasswd registry', () => {
  let ecr: EcrEmulator;
  let restoreEnv: () => void;
  let ecrCredentials: RegistryCredentials;

  before(async () => {
    restoreEnv = useFakeAwsEnv();
    ecr = await startEcrEmulator({ username: env.authUsername, password: env.authPassword });
    const ecrConfig = config({ SLIPWAY_REGISTRY_AUTH: 'ecr', AWS_ENDPOINT_URL_ECR: ecr.url, AWS_REGION: 'us-east-1' });
    assert.equal(ecrConfig.registry.auth, 'ecr');
    ecrCredentials = registryCredentialsFor(ecrConfig);
  });
  after(async () => {
    await ecr?.close();
    restoreEnv?.();
  });

  it('basic: the config\'s username and password take the push', async (t) => {
    const basic = config({ SLIPWAY_REGISTRY_USERNAME: env.authUsername, SLIPWAY_REGISTRY_PASSWORD: env.authPassword });
    assert.equal(basic.registry.auth, 'basic');
    const built = await buildFor('basic');
    const log = memoryLog();
    const started = Date.now();
    const pushed = await createDockerImagePusher(docker, registryCredentialsFor(basic)).push(built, log);
    t.diagnostic(`basic-auth push took ${seconds(started)}`);
    assert.equal(pushed.digest, await registryDigest(built));
    assert.ok(!log.text().includes(env.authPassword));
  });

  it('ecr: the token from GetAuthorizationToken takes the push; the next push reuses it', async (t) => {
    const built = await buildFor('ecr');
    const pusher = createDockerImagePusher(docker, ecrCredentials);
    const calls = ecr.calls.GetAuthorizationToken ?? 0;
    const log = memoryLog();
    const started = Date.now();
    const pushed = await pusher.push(built, log);
    t.diagnostic(`ECR-auth push (token included) took ${seconds(started)}`);
    assert.equal(pushed.digest, await registryDigest(built));
    assert.equal(ecr.calls.GetAuthorizationToken, calls + 1);
    assert.equal(ecr.requests.at(-1)?.region, 'us-east-1');
    assert.ok(!log.text().includes(env.authPassword));

    const again = await pusher.push(built, memoryLog());
    assert.equal(again.digest, pushed.digest);
    assert.equal(ecr.calls.GetAuthorizationToken, calls + 1, 'token reused');
  });

  it('ecr: a token the registry does not accept is REGISTRY_DENIED, without the password in the message', async () => {
    const wrong = await startEcrEmulator({ username: env.authUsername, password: `not-the-password-${run}` });
    try {
      const credentials = registryCredentialsFor(config({ SLIPWAY_REGISTRY_AUTH: 'ecr', AWS_ENDPOINT_URL_ECR: wrong.url, AWS_REGION: 'us-east-1' }));
      const built = await buildFor('wrong');
      await assert.rejects(createDockerImagePusher(docker, credentials).push(built, memoryLog()), (err: unknown) => {
        assert.ok(isSlipwayError(err, 'REGISTRY_DENIED'), String(err));
        assert.equal(err.retryable, false);
        assert.ok(!err.message.includes(`not-the-password-${run}`), err.message);
        return true;
      });
      assert.equal(await registryDigest(built), undefined);
    } finally {
      await wrong.close();
    }
  });

  it('ecr: AWS refusing the token request fails the push with REGISTRY_DENIED before any upload', async () => {
    const built = await buildFor('denied');
    const credentials = registryCredentialsFor(config({ SLIPWAY_REGISTRY_AUTH: 'ecr', AWS_ENDPOINT_URL_ECR: ecr.url, AWS_REGION: 'us-east-1' }));
    ecr.failNext('GetAuthorizationToken', 'AccessDeniedException', 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken');
    await assert.rejects(createDockerImagePusher(docker, credentials).push(built, memoryLog()), (err: unknown) => {
      assert.ok(isSlipwayError(err, 'REGISTRY_DENIED'), String(err));
      assert.match(err.message, /AccessDeniedException/);
      return true;
    });
    assert.equal(await registryDigest(built), undefined);
  });

  describe('pulls by the docker scheduler (ensureImage)', () => {
    let pushed: PushedImage;
    before(async () => {
      const built = await buildFor('pull');
      pushed = { ...(await createDockerImagePusher(docker, ecrCredentials).push(built, memoryLog())), id: built.id };
    });

    it('without credentials the registry refuses the pull: SCHEDULER_REJECTED', async () => {
      await forget(pushed);
      await assert.rejects(ensureImage(docker, pinnedName(pushed), undefined, memoryLog()), (err: unknown) => {
        assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
        assert.match(err.message, /unauthorized|authentication required|no basic auth/i);
        return true;
      });
    });

    it('a throttled token request is SCHEDULER_UNREACHABLE (retry); a denied one SCHEDULER_REJECTED', async () => {
      const credentials = registryCredentialsFor(config({ SLIPWAY_REGISTRY_AUTH: 'ecr', AWS_ENDPOINT_URL_ECR: ecr.url, AWS_REGION: 'us-east-1' }));
      for (let i = 0; i < 3; i++) ecr.failNext('GetAuthorizationToken', 'ThrottlingException', 'Rate exceeded');
      await assert.rejects(ensureImage(docker, pinnedName(pushed), credentials, memoryLog()), (err: unknown) => isSlipwayError(err, 'SCHEDULER_UNREACHABLE') && err.retryable);
      ecr.failNext('GetAuthorizationToken', 'AccessDeniedException', 'not authorized');
      await assert.rejects(ensureImage(docker, pinnedName(pushed), credentials, memoryLog()), (err: unknown) => isSlipwayError(err, 'SCHEDULER_REJECTED') && !err.retryable);
    });

    it('with the ECR provider the engine pulls the pinned image from the auth registry', async (t) => {
      const log = memoryLog();
      const started = Date.now();
      await ensureImage(docker, pinnedName(pushed), ecrCredentials, log);
      t.diagnostic(`ECR-auth pull took ${seconds(started)}`);
      const info = await docker.getImage(pinnedName(pushed)).inspect();
      assert.ok(info.RepoDigests.includes(pinnedName(pushed)), JSON.stringify(info.RepoDigests));
      assert.deepEqual(log.lines, [`Pulling ${pinnedName(pushed)}`, `Pulled ${pinnedName(pushed)}`]);
      assert.ok(!log.text().includes(env.authPassword));
    });

    it('an image the engine has needs no credentials at all', async () => {
      const never: RegistryCredentials = { credentials: () => assert.fail('asked for credentials') };
      await ensureImage(docker, pinnedName(pushed), never, memoryLog());
    });
  });
});
