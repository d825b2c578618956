import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import type { Pipeline } from '../../src/core/pipeline.ts';
import type { BuildStore } from '../../src/core/ports/build-store.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../../src/docker/image-pusher.ts';
import { createDockerTestRunner } from '../../src/docker/test-runner.ts';
import { createGitSourceFetcher } from '../../src/git/git-source-fetcher.ts';
import { createGitHubStatusReporter } from '../../src/github/status-reporter.ts';
import type { BuildDeps } from '../../src/pipeline/deps.ts';
import { createStaticCredentials } from '../../src/registries/static-credentials.ts';
import { testEnv } from './env.ts';

/**
 * What `runBuild` needs, on the real parts `npm test` starts (engine, registry, git): statuses go
 * to a GitHub emulator (token `t`), nothing may be deployed. Tests
 * override what they are about.
 */
export function realBuildDeps(o: {
  pipelines: readonly Pipeline[];
  store: BuildStore;
  logger: Logger;
  githubUrl: string;
  dataDir: string;
  registry?: string;
  timeoutMs?: number;
}): BuildDeps {
  const env = testEnv();
  const docker = createDockerClient(env.dockerHost);
  return {
    pipelines: o.pipelines, store: o.store, logger: o.logger, publicUrl: 'http://slipway',
    statuses: createGitHubStatusReporter({ token: 't', apiUrl: o.githubUrl, logger: o.logger }),
    source: createGitSourceFetcher(o.dataDir),
    builder: createDockerImageBuilder(docker),
    tests: createDockerTestRunner(docker),
    pusher: createDockerImagePusher(docker, createStaticCredentials(undefined)),
    registry: o.registry ?? env.registry,
    enqueueDeploy: async () => assert.fail('nothing may be deployed'),
    timeoutMs: o.timeoutMs ?? 120_000,
  };
}
