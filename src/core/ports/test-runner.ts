import type { Readable } from 'node:stream';
import type { ImageRef } from '../image.ts';
import type { TestSpec } from '../pipeline.ts';
import type { LogSink } from './build-log.ts';

/** Where `source` is copied in the test container; the command runs there. */
export const SOURCE_DIR = '/src';

export interface TestRequest {
  /**
   * The image just built, or the image a pipeline names in `test.image`, exactly as written:
   * used if the engine has it, else pulled, but only by an explicit tag or digest (never an
   * implicit `latest`).
   */
  readonly image: ImageRef | string;
  readonly spec: TestSpec;
  /** a tar stream of the commit's tree, copied to SOURCE_DIR before the command starts */
  readonly source?: Readable;
}

export interface TestResult {
  readonly passed: boolean;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/**
 * Runs a pipeline's test command in a container: no network, no Docker socket, the spec's CPU,
 * memory and time limits. Output streams to the log as it happens.
 * A failing test is a result (`passed: false`), not an error; errors mean the container could not
 * be run at all (TEST_INFRA_FAILED, DOCKER_UNAVAILABLE; a `source` stream's own error as it is).
 * The container is always removed, and a `source` that was not read is destroyed.
 *
 * Stopping: when `signal` aborts, a pull under way is cut, the container is killed and removed,
 * and the call rejects with the signal's reason when that is a SlipwayError (e.g.
 * BUILD_TIMED_OUT), else with ABORTED; neither is retryable. (The spec's own `timeout` is a test
 * result, `timedOut: true`; a stop is not a result.)
 */
export interface TestRunner {
  run(request: TestRequest, log: LogSink, signal?: AbortSignal): Promise<TestResult>;
}
