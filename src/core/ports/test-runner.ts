import type { ImageRef } from '../image.ts';
import type { TestSpec } from '../pipeline.ts';
import type { LogSink } from './build-log.ts';

export interface TestResult {
  readonly passed: boolean;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/**
 * Runs a pipeline's test command in a container of a built image: no network, no Docker socket,
 * the spec's CPU, memory and time limits. Output streams to the log as it happens.
 * A failing test is a result (`passed: false`), not an error; errors mean the container could not
 * be run at all (TEST_INFRA_FAILED, DOCKER_UNAVAILABLE). The container is always removed.
 */
export interface TestRunner {
  run(request: { image: ImageRef; spec: TestSpec }, log: LogSink): Promise<TestResult>;
}
