/**
 * The Docker edge of a build against a real engine and real registries: ImageBuilder (POST /build).
 * Run with `npm test -- test/integration/docker-image-builder.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { taggedName } from '../../src/core/image.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { buildContext } from '../support/build-context.ts';
import { docker, env, image, run, seconds, sha } from '../support/docker-edge.ts';
import { memoryLog } from '../support/memory-log.ts';

describe('ImageBuilder on Docker', () => {
  const builder = createDockerImageBuilder(docker);

  it('builds a context stream, tags the image, sets the labels, returns the engine id, logs the output', async (t) => {
    const ref = image(env.registry, 'build');
    const log = memoryLog();
    const started = Date.now();
    const built = await builder.build({
      context: buildContext({
        Dockerfile: `FROM local/busybox\nRUN echo "hello from RUN ${run}" && echo made > /made.txt\nCOPY check.sh /check.sh\n`,
        'check.sh': 'test -f /made.txt\n',
      }),
      dockerfile: 'Dockerfile',
      image: ref,
      labels: { 'org.opencontainers.image.revision': sha, 'org.opencontainers.image.source': 'https://github.com/acme/web' },
    }, log);
    t.diagnostic(`build took ${seconds(started)}`);
    assert.match(built.id ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual({ ...built, id: undefined }, { ...ref, id: undefined });
    const info = await docker.getImage(taggedName(ref)).inspect();
    assert.equal(info.Id, built.id);
    assert.equal(info.Config.Labels?.['org.opencontainers.image.revision'], sha);
    assert.equal(info.Config.Labels?.['org.opencontainers.image.source'], 'https://github.com/acme/web');
    assert.ok(log.lines.some((l) => /^Step 1\/\d+ : FROM local\/busybox$/.test(l)), log.text());
    assert.ok(log.lines.includes(`hello from RUN ${run}`), log.text());
    assert.ok(log.lines.every((l) => !l.endsWith('\n')), 'no trailing newlines');
  });

  it('building the same context again is cheap (layer cache) and gives the same id', async (t) => {
    const files = { Dockerfile: `FROM local/busybox\nRUN echo ${run} > /c.txt\n` };
    const ref = image(env.registry, 'cache');
    const first = await builder.build({ context: buildContext(files), dockerfile: 'Dockerfile', image: ref, labels: {} }, memoryLog());
    const log = memoryLog();
    const started = Date.now();
    const second = await builder.build({ context: buildContext(files), dockerfile: 'Dockerfile', image: ref, labels: {} }, log);
    t.diagnostic(`cached rebuild took ${seconds(started)}`);
    assert.equal(second.id, first.id);
    assert.ok(log.lines.some((l) => l.includes('Using cache')), log.text());
  });

  it('a failing RUN step is BUILD_FAILED with the command\'s message; its output is in the log', async () => {
    const log = memoryLog();
    await assert.rejects(
      builder.build({
        context: buildContext({ Dockerfile: 'FROM local/busybox\nRUN echo "about to fail" && exit 7\n' }),
        dockerfile: 'Dockerfile',
        image: image(env.registry, 'fails'),
        labels: {},
      }, log),
      (err: unknown) => {
        assert.ok(isSlipwayError(err, 'BUILD_FAILED'), String(err));
        assert.match(err.message, /returned a non-zero code: 7/);
        assert.equal(err.retryable, false);
        return true;
      },
    );
    assert.ok(log.lines.includes('about to fail'), log.text());
    const left = await docker.listContainers({ all: true, filters: { status: ['exited', 'created'] } });
    assert.equal(left.length, 0, 'forcerm removed the failed step\'s container');
  });

  it('a Dockerfile that is not in the context is BUILD_FAILED saying so', async () => {
    await assert.rejects(
      builder.build({ context: buildContext({ 'README.md': 'hi\n' }), dockerfile: 'Dockerfile', image: image(env.registry, 'nodockerfile'), labels: {} }, memoryLog()),
      (err: unknown) => isSlipwayError(err, 'BUILD_FAILED') && /Dockerfile/i.test(err.message),
    );
  });

  it('an engine that cannot be reached is DOCKER_UNAVAILABLE (retryable)', async () => {
    const gone = createDockerImageBuilder(createDockerClient('unix:///tmp/slipway-no-such-engine.sock'));
    await assert.rejects(
      gone.build({ context: buildContext({ Dockerfile: 'FROM local/busybox\n' }), dockerfile: 'Dockerfile', image: image(env.registry, 'x'), labels: {} }, memoryLog()),
      (err: unknown) => isSlipwayError(err, 'DOCKER_UNAVAILABLE') && err.retryable,
    );
  });
});
