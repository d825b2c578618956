/**
 * The Docker edge of a build against a real engine and real registries: TestRunner (a locked-down container).
 * Run with `npm test -- test/integration/docker-test-runner.test.ts`.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { ImageRef } from '../../src/core/image.ts';
import type { TestSpec } from '../../src/core/pipeline.ts';
import { createContainerOutput, LIVE_OUTPUT } from '../../src/docker/container-output.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createDockerTestRunner } from '../../src/docker/test-runner.ts';
import { buildContext } from '../support/build-context.ts';
import { docker, env, image, run, seconds } from '../support/docker-edge.ts';
import { pollUntil } from '../emulators/http-util.ts';
import { freePort } from '../support/free-port.ts';
import { memoryLog } from '../support/memory-log.ts';
import { assertStreams } from '../support/output-streams.ts';

const spec = (command: string[], overrides: Partial<TestSpec> = {}): TestSpec => ({ command, timeout: 60, memory: 0, cpus: 0, ...overrides });

async function testContainersLeft(): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: ['slipway.role=test'] } });
  return list.length;
}

describe('TestRunner on Docker', () => {
  const runner = createDockerTestRunner(docker);
  let built: ImageRef;
  let hostServer: http.Server;
  let hostPort: number;

  before(async () => {
    built = await createDockerImageBuilder(docker).build({
      context: buildContext({ Dockerfile: 'FROM local/busybox\nCOPY check.sh /check.sh\n', 'check.sh': 'echo "checking"\necho "warning on stderr" >&2\nexit 0\n' }),
      dockerfile: 'Dockerfile',
      image: image(env.registry, 'tests'),
      labels: {},
    }, memoryLog());
    hostPort = await freePort();
    hostServer = http.createServer((_req, res) => res.end('REACHED-THE-HOST\n'));
    await new Promise<void>((resolve) => hostServer.listen(hostPort, '127.0.0.1', resolve));
  });
  after(() => hostServer.close());

  it('a passing command passes; stdout and stderr lines reach the log; the container is removed', async (t) => {
    const log = memoryLog();
    const started = Date.now();
    const result = await runner.run({ image: built, spec: spec(['sh', '/check.sh']) }, log);
    t.diagnostic(`test run took ${seconds(started)} (container ${result.durationMs} ms)`);
    assert.deepEqual({ ...result, durationMs: 0 }, { passed: true, exitCode: 0, timedOut: false, durationMs: 0 });
    assertStreams(log.lines, { stdout: ['checking'], stderr: ['warning on stderr'] });
    assert.equal(await testContainersLeft(), 0);
  });

  it('runs by tag when the image id is not known', async () => {
    const result = await runner.run({ image: { ...built, id: undefined }, spec: spec(['true']) }, memoryLog());
    assert.equal(result.passed, true);
  });

  it('a failing command is a result: passed false with its exit code', async () => {
    const log = memoryLog();
    const result = await runner.run({ image: built, spec: spec(['sh', '-c', 'echo "1 test failed"; exit 3']) }, log);
    assert.deepEqual({ ...result, durationMs: 0 }, { passed: false, exitCode: 3, timedOut: false, durationMs: 0 });
    assert.deepEqual(log.lines, ['1 test failed']);
    assert.equal(await testContainersLeft(), 0);
  });

  it('a command that outlives its time limit is killed: timedOut, not passed, container removed', async (t) => {
    const log = memoryLog();
    const started = Date.now();
    // a 600 s sleep against a 1 s limit: an answer within a small part of it can only be the kill
    const result = await runner.run({ image: built, spec: spec(['sh', '-c', "echo started; printf 'half a line'; sleep 600"], { timeout: 1 }) }, log);
    t.diagnostic(`timed-out run took ${seconds(started)}`);
    assert.equal(result.timedOut, true);
    assert.equal(result.passed, false);
    assert.equal(result.exitCode, null);
    assert.ok(Date.now() - started < 60_000, 'killed at the limit, not left to finish');
    // the command's unfinished last line is its own, so it comes before the runner's verdict
    assert.deepEqual(log.lines, ['started', 'half a line', 'Test command killed after 1s time limit']);
    assert.equal(await testContainersLeft(), 0);
  });

  it('attaches to the live output only: lines written while it attaches are neither repeated nor skipped', async () => {
    // Containers already writing numbered lines as fast as they can, attached to the way the
    // runner attaches: the numbers must follow on one by one. (Replaying the log file as well,
    // `logs: true`, repeats the lines written while the engine replays it.)
    for (let attempt = 0; attempt < 5; attempt++) {
      const container = await docker.createContainer({
        Image: built.id,
        Cmd: ['sh', '-c', 'i=0; while true; do echo $i; i=$((i+1)); done'],
        Labels: { 'slipway.role': 'test' },
        HostConfig: { NetworkMode: 'none' },
      });
      try {
        await container.start();
        const stream = await container.attach(LIVE_OUTPUT);
        const log = memoryLog();
        const output = createContainerOutput(log);
        stream.on('data', (chunk: Buffer) => output.write(chunk));
        const ended = new Promise((resolve) => stream.once('end', resolve).once('close', resolve));
        // let it write a good run of lines (bounded), however slowly the machine lets it
        await pollUntil(() => log.lines.length, (n) => n > 200, 30_000, () => `${log.lines.length} lines`);
        await container.kill();
        await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        output.end();
        // the first and last lines may be cut (attached mid-line, killed mid-line)
        const numbers = log.lines.slice(1, -1).map(Number);
        assert.ok(numbers.length > 10, `attempt ${attempt}: only ${numbers.length} lines`);
        const jump = numbers.findIndex((n, i) => i > 0 && n !== numbers[i - 1]! + 1);
        assert.equal(jump, -1, `attempt ${attempt}: line ${numbers[jump - 1]} was followed by ${numbers[jump]}`);
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
    }
  });

  it('has no network: only the loopback interface, and the host\'s 127.0.0.1 is not reachable', async () => {
    const log = memoryLog();
    const result = await runner.run({
      image: built,
      // busybox nc, not wget: the static busybox's wget crashes in an empty image
      spec: spec(['sh', '-c', `ls /sys/class/net; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 127.0.0.1 ${hostPort} || echo "connect failed"`]),
    }, log);
    assert.equal(result.passed, true, log.text());
    assertStreams(log.lines, { stdout: ['lo', 'connect failed'], stderr: ["nc: can't connect to remote host (127.0.0.1): Connection refused"] });
    assert.ok(!log.text().includes('REACHED-THE-HOST'));
  });

  it('has no Docker socket, no mounts from the host and no privilege escalation', async () => {
    const socket = env.dockerHost.slice('unix://'.length);
    const log = memoryLog();
    const result = await runner.run({
      image: built,
      spec: spec(['sh', '-c', `for s in /var/run/docker.sock /run/docker.sock ${socket}; do test -e $s && echo "found $s"; done; grep -c docker.sock /proc/mounts; grep NoNewPrivs /proc/self/status`]),
    }, log);
    assert.deepEqual(log.lines, ['0', 'NoNewPrivs:\t1']);
    assert.equal(result.exitCode, 0);
  });

  it('applies the memory and CPU limits of the spec', async () => {
    const log = memoryLog();
    await runner.run({
      image: built,
      spec: spec(['sh', '-c', 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us'], { memory: 64 * 1024 * 1024, cpus: 0.5 }),
    }, log);
    assert.equal(log.lines[0], String(64 * 1024 * 1024));
    assert.match(log.lines[1] ?? '', /^50000( 100000)?$/);
  });

  it('an image the engine does not have is TEST_INFRA_FAILED', async () => {
    await assert.rejects(
      runner.run({ image: { repository: `${env.registry}/slipway-test-missing-${run}`, tag: 'git-0000000' }, spec: spec(['true']) }, memoryLog()),
      (err: unknown) => isSlipwayError(err, 'TEST_INFRA_FAILED') && /No such image/i.test(err.message),
    );
  });

  it('a program the image does not have is TEST_INFRA_FAILED, not retryable, and leaves no container', async () => {
    await assert.rejects(runner.run({ image: built, spec: spec(['no-such-program']) }, memoryLog()), (err: unknown) => {
      assert.ok(isSlipwayError(err, 'TEST_INFRA_FAILED'), String(err));
      assert.match(err.message, /executable file not found/);
      assert.equal(err.retryable, false);
      return true;
    });
    assert.equal(await testContainersLeft(), 0);
  });

  it('an engine that cannot be reached is DOCKER_UNAVAILABLE', async () => {
    const gone = createDockerTestRunner(createDockerClient('unix:///tmp/slipway-no-such-engine.sock'));
    await assert.rejects(gone.run({ image: built, spec: spec(['true']) }, memoryLog()), (err: unknown) => isSlipwayError(err, 'DOCKER_UNAVAILABLE'));
  });
});

// keep the engine tidy for the next file; the images go with the throwaway engine
after(async () => {
  const tests = await docker.listContainers({ all: true, filters: { label: ['slipway.role=test'] } });
  await Promise.all(tests.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
});
