import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { isSlipwayError, SlipwayError } from '../core/errors.ts';
import { stoppedError, throwIfStopped } from '../core/stopped.ts';
import { taggedName } from '../core/image.ts';
import type { TestSpec } from '../core/pipeline.ts';
import type { LogSink } from '../core/ports/build-log.ts';
import type { RegistryCredentials } from '../core/ports/registry-credentials.ts';
import { SOURCE_DIR, type TestRequest, type TestResult, type TestRunner } from '../core/ports/test-runner.ts';
import { createContainerOutput, LIVE_OUTPUT } from './container-output.ts';
import { engineFailure, isNotFound } from './engine-error.ts';
import { ensureTestImage } from './test-image.ts';

/** How long output may trail the container's exit before the stream is cut. */
const OUTPUT_GRACE_MS = 5_000;

export interface DockerTestRunnerOptions {
  /** SLIPWAY_REGISTRY's credentials, for pulling a `test.image` kept on that registry */
  readonly registryCredentials?: RegistryCredentials;
}

/**
 * The TestRunner on a Docker engine. The test container runs the image with no network, no
 * mounts (so no Docker socket), no privilege escalation, the spec's CPU and memory limits, and
 * is killed after `spec.timeout` seconds. A `source` tar is put into the created container at
 * SOURCE_DIR (the working directory) before it starts; nothing from the host is mounted. Output
 * is attached before the start, so no line is lost however fast the command exits. The
 * container is removed in every case; a stop kills it first.
 */
export function createDockerTestRunner(docker: Docker, options: DockerTestRunnerOptions = {}): TestRunner {
  return {
    async run({ image, spec, source }, log, signal) {
      // Watched from the start: a source that fails while the image is pulled must not go unheard.
      const sourceRead = source && finished(source);
      sourceRead?.catch(() => undefined);
      try {
        throwIfStopped(signal, 'the test');
        if (typeof image === 'string') await ensureTestImage(docker, image, options.registryCredentials, log, signal);
        const container = await step('create the test container', () => docker.createContainer(testContainer(image, spec, source !== undefined)));
        try {
          if (source && sourceRead) await copySource(container, source, sourceRead);
          return await runToExit(container, spec, log, signal);
        } finally {
          await container.remove({ force: true, v: true }).catch(() => undefined);
        }
      } catch (err) {
        if (signal?.aborted) throw stoppedError(signal, 'the test'); // whatever broke as it was stopped
        throw err;
      } finally {
        source?.destroy(); // a run that never read its source must not leave git archive blocked
      }
    },
  };
}

/** Puts the tar stream into the created (not yet started) container at SOURCE_DIR; `read` settles when the stream has ended or failed. */
async function copySource(container: Docker.Container, source: Readable, read: Promise<void>): Promise<void> {
  const abort = new AbortController();
  try {
    await Promise.all([container.putArchive(source, { path: SOURCE_DIR, abortSignal: abort.signal }), read]);
  } catch (err) {
    abort.abort();
    if (isSlipwayError(err)) throw err; // the source's own failure (git archive), as it is
    throw stepError('copy the source into the test container', err);
  }
}

function testContainer(image: TestRequest['image'], spec: TestSpec, withSource: boolean): Docker.ContainerCreateOptions {
  return {
    Image: typeof image === 'string' ? image : image.id ?? taggedName(image),
    Cmd: [...spec.command],
    WorkingDir: withSource ? SOURCE_DIR : undefined,
    Tty: false,
    OpenStdin: false,
    Labels: { 'slipway.role': 'test' },
    HostConfig: {
      NetworkMode: 'none',
      Memory: spec.memory || undefined,
      NanoCpus: Math.round(spec.cpus * 1e9) || undefined,
      Binds: [],
      Mounts: [],
      AutoRemove: false,
      SecurityOpt: ['no-new-privileges'],
    },
  };
}

async function runToExit(container: Docker.Container, spec: TestSpec, log: LogSink, signal?: AbortSignal): Promise<TestResult> {
  const stream = await step('attach to the test container', () => container.attach(LIVE_OUTPUT));
  const output = createContainerOutput(log);
  const drained = drain(stream, output);
  const startedAt = Date.now();
  try {
    await step('start the test container', () => container.start());
    const exitCode = await waitForExit(container, spec.timeout * 1000, signal);
    throwIfStopped(signal, 'the test'); // killed by the stop: not a result
    await Promise.race([drained, sleep(OUTPUT_GRACE_MS)]);
    output.end(); // the command's unfinished last line before anything the runner adds
    const durationMs = Date.now() - startedAt;
    if (exitCode === 'timeout') log.line(`Test command killed after ${spec.timeout}s time limit`);
    return exitCode === 'timeout'
      ? { passed: false, exitCode: null, timedOut: true, durationMs }
      : { passed: exitCode === 0, exitCode, timedOut: false, durationMs };
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    output.end();
  }
}

/** Resolves with the exit code, or kills the container and resolves 'timeout' after `ms` or when `signal` aborts. */
async function waitForExit(container: Docker.Container, ms: number, signal?: AbortSignal): Promise<number | 'timeout'> {
  const timer = new AbortController();
  const exited = step('wait for the test container', () => container.wait() as Promise<{ StatusCode: number }>);
  const cut = signal ? AbortSignal.any([timer.signal, signal]) : timer.signal;
  const timedOut = sleep(ms, 'timeout' as const, { signal: cut }).catch(() => 'cancelled' as const);
  const first = await Promise.race([exited, timedOut]).finally(() => timer.abort());
  if (first !== 'timeout' && first !== 'cancelled') return first.StatusCode;
  await container.kill().catch(() => undefined); // it may have exited on its own meanwhile
  await Promise.race([exited.catch(() => undefined), sleep(OUTPUT_GRACE_MS)]);
  return 'timeout';
}

async function drain(stream: NodeJS.ReadableStream, output: { write(chunk: Uint8Array): void }): Promise<void> {
  try {
    for await (const chunk of stream) output.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch {
    // the stream is cut when the container is removed or the grace period ends; nothing to report
  }
}

/**
 * Runs one engine call, turning its failure into DOCKER_UNAVAILABLE or TEST_INFRA_FAILED. A 4xx
 * (no such image, no such program in the image) will fail the same way again: not retryable.
 */
async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw stepError(what, err);
  }
}

function stepError(what: string, err: unknown): SlipwayError {
  const failure = engineFailure(err);
  if (failure.unreachable) {
    return new SlipwayError('DOCKER_UNAVAILABLE', `could not ${what}: the Docker engine is not reachable: ${failure.message}`, { cause: err });
  }
  const hint = isNotFound(err) ? ' (is the image built on this engine?)' : '';
  const retryable = failure.status === undefined || failure.status >= 500;
  return new SlipwayError('TEST_INFRA_FAILED', `could not ${what}: ${failure.message}${hint}`, { cause: err, retryable });
}
