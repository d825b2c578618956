/**
 * The TestRunner with `test.image`: a named image, the commit's tree copied in at /src, the same
 * lock-down as tests in the built image. Real engine, real registry.
 * Run with `npm test -- test/integration/test-runner-source.test.ts`.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { isSlipwayError, SlipwayError } from '../../src/core/errors.ts';
import { taggedName } from '../../src/core/image.ts';
import type { TestSpec } from '../../src/core/pipeline.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerTestRunner } from '../../src/docker/test-runner.ts';
import { buildContext } from '../support/build-context.ts';
import { testEnv } from '../support/env.ts';
import { publishSite } from '../support/images.ts';
import { memoryLog } from '../support/memory-log.ts';

const env = testEnv();
const docker = createDockerClient(env.dockerHost);
const runner = createDockerTestRunner(docker);
const spec = (command: string[], overrides: Partial<TestSpec> = {}): TestSpec => ({ image: 'local/busybox', command, timeout: 60, memory: 0, cpus: 0, ...overrides });
const tree = () => buildContext({ 'www/index.html': '<h1>Hello</h1>\n', 'test/run.sh': 'echo "ran from $(pwd)"\n' });

async function testContainersLeft(): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: ['slipway.role=test'] } })).length;
}

describe('TestRunner with a test image and the source tree', () => {
  it('copies the tree to /src, runs there, and passes on exit 0', async (t) => {
    const log = memoryLog();
    const started = Date.now();
    const result = await runner.run({ image: 'local/busybox', spec: spec(['sh', '-c', 'pwd; cat www/index.html; sh test/run.sh; test -f /src/www/index.html']), source: tree() }, log);
    t.diagnostic(`run with source took ${Date.now() - started} ms`);
    assert.equal(result.passed, true, log.text());
    assert.deepEqual(log.lines, ['/src', '<h1>Hello</h1>', 'ran from /src']);
    assert.equal(await testContainersLeft(), 0);
  });

  it('honours the exit code: a missing file fails the tests as a result, not an error', async () => {
    const log = memoryLog();
    const result = await runner.run({ image: 'local/busybox', spec: spec(['sh', '-c', 'test -f /src/www/missing.html || { echo "no missing.html"; exit 4; }']), source: tree() }, log);
    assert.deepEqual({ ...result, durationMs: 0 }, { passed: false, exitCode: 4, timedOut: false, durationMs: 0 });
    assert.deepEqual(log.lines, ['no missing.html']);
    assert.equal(await testContainersLeft(), 0);
  });

  it('keeps the lock-down: loopback only, no Docker socket, no new privileges', async () => {
    const socket = env.dockerHost.slice('unix://'.length);
    const log = memoryLog();
    const result = await runner.run({
      image: 'local/busybox',
      spec: spec(['sh', '-c', `ls /sys/class/net; test -e ${socket} && echo "found socket"; grep -c docker.sock /proc/mounts; grep NoNewPrivs /proc/self/status`]),
      source: tree(),
    }, log);
    assert.deepEqual(log.lines, ['lo', '0', 'NoNewPrivs:\t1']);
    assert.equal(result.exitCode, 0);
  });

  it('pulls a named image the engine lacks, by its tag', async () => {
    const pushed = await publishSite(`slipway-test-image-${Date.now().toString(36)}`, 'pulled');
    const name = taggedName(pushed);
    await docker.getImage(name).remove({ force: true });
    const log = memoryLog();
    const result = await runner.run({ image: name, spec: spec(['sh', '-c', 'cat /www/index.html; ls /src'], { image: name }), source: tree() }, log);
    assert.equal(result.passed, true, log.text());
    assert.deepEqual(log.lines, [`Pulling test image ${name}`, `Pulled ${name}`, 'pulled', 'test', 'www']);
  });

  it('never pulls a name without a tag or digest (no implicit latest): TEST_INFRA_FAILED, not retryable', async () => {
    const name = `${env.registry}/slipway-test-untagged`;
    await assert.rejects(runner.run({ image: name, spec: spec(['true']), source: tree() }, memoryLog()), (err: unknown) =>
      isSlipwayError(err, 'TEST_INFRA_FAILED') && !err.retryable && /without a tag or digest is never pulled/.test(err.message));
  });

  it('an image the registry does not have is TEST_INFRA_FAILED, not retryable, and leaves no container', async () => {
    const name = `${env.registry}/slipway-test-absent:v1`;
    await assert.rejects(runner.run({ image: name, spec: spec(['true']), source: tree() }, memoryLog()), (err: unknown) =>
      isSlipwayError(err, 'TEST_INFRA_FAILED') && !err.retryable && err.message.includes(name));
    assert.equal(await testContainersLeft(), 0);
  });

  it('a source stream that fails is that failure, and the container is removed', async () => {
    const source = new PassThrough();
    setImmediate(() => source.destroy(new SlipwayError('SOURCE_UNAVAILABLE', 'git archive failed')));
    await assert.rejects(runner.run({ image: 'local/busybox', spec: spec(['true']), source }, memoryLog()), (err: unknown) => isSlipwayError(err, 'SOURCE_UNAVAILABLE'));
    assert.equal(await testContainersLeft(), 0);
  });
});
