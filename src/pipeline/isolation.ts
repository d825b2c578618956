import type { Pipeline } from '../core/pipeline.ts';
import type { ImageBuilder } from '../core/ports/image-builder.ts';
import type { Checkout } from '../core/ports/source-fetcher.ts';

type BuildRequest = Parameters<ImageBuilder['build']>[0];
type Isolation = Pick<BuildRequest, 'isolated' | 'dockerfileContent' | 'limits'>;

/** A fork's build limits when the pipeline has no `test` block: that block's defaults (1g, 1 CPU). */
const TEST_DEFAULTS = { memory: 1024 ** 3, cpus: 1 } as const;

/**
 * What the build of untrusted code (a pull request from a fork) adds to its ImageBuilder request:
 * isolated (no network), the Dockerfile as committed, to be checked before the engine sees it,
 * and the pipeline's `test.memory` and `test.cpus`: the same untrusted code runs under them in
 * the test stage. Nothing for trusted code.
 */
export async function isolation(untrusted: boolean, checkout: Checkout, pipeline: Pipeline, signal?: AbortSignal): Promise<Isolation> {
  if (!untrusted) return {};
  const limits = { memory: pipeline.test?.memory ?? TEST_DEFAULTS.memory, cpus: pipeline.test?.cpus ?? TEST_DEFAULTS.cpus };
  return { isolated: true, dockerfileContent: await checkout.readFile(pipeline.dockerfile, signal), limits };
}
