import type { ImageRef } from '../core/image.ts';
import type { Pipeline } from '../core/pipeline.ts';
import type { BuildLog } from '../core/ports/build-log.ts';
import type { Checkout } from '../core/ports/source-fetcher.ts';
import { SOURCE_DIR } from '../core/ports/test-runner.ts';
import type { BuildDeps } from './deps.ts';
import type { StageOutcome } from './run-stage.ts';

/** What the tests run against: the image just built, or (with `test.image`) the checkout. */
export type TestSubject = { readonly built: ImageRef } | { readonly image: string; readonly checkout: Checkout };

/**
 * The test stage's work. In the built image by default; with `test.image`, in that image with
 * the commit's tree copied to SOURCE_DIR. A failing or timed-out command is the user's failure
 * (`ok: false`), not an error.
 */
export async function runTests(deps: Pick<BuildDeps, 'tests'>, subject: TestSubject, pipeline: Pipeline, log: BuildLog): Promise<StageOutcome<void>> {
  const spec = pipeline.test;
  if (!spec) {
    log.line('No test command in the pipeline; skipping tests.');
    return { ok: true, value: undefined, detail: 'no test command' };
  }
  if ('checkout' in subject) log.line(`Testing in ${subject.image} with the commit's tree at ${SOURCE_DIR}, before the build`);
  log.line(`$ ${spec.command.join(' ')}`);
  const request = 'built' in subject ? { image: subject.built, spec } : { image: subject.image, spec, source: subject.checkout.archive() };
  const result = await deps.tests.run(request, log);
  if (result.passed) return { ok: true, value: undefined, detail: `passed in ${(result.durationMs / 1000).toFixed(1)}s` };
  const detail = result.timedOut ? `Tests timed out after ${spec.timeout}s` : `Tests failed (exit code ${result.exitCode})`;
  log.line(detail);
  return { ok: false, detail };
}
