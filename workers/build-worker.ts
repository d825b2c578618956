import type { Worker } from 'bullmq';
import type { ImageBuilder } from '../src/core/ports/image-builder.ts';
import type { ImagePusher } from '../src/core/ports/image-pusher.ts';
import type { SourceFetcher } from '../src/core/ports/source-fetcher.ts';
import type { TestRunner } from '../src/core/ports/test-runner.ts';
import { BUILD_QUEUE, type BuildJobData } from '../src/queue/jobs.ts';
import type { PipelineDeps } from '../src/pipeline/deps.ts';
import { publishBuild } from '../src/pipeline/publish.ts';
import { runBuild } from '../src/pipeline/run-build.ts';
import { createAnnouncements } from '../src/store/announcements.ts';
import { attemptOf, toBullError } from './job-attempt.ts';
import { pipelineDeps, startQueueWorker, type Runtime } from './runtime.ts';

const ANNOUNCE_WAIT_MS = 2_000;

export interface BuildAdapters {
  readonly source: SourceFetcher;
  readonly builder: ImageBuilder;
  readonly tests: TestRunner;
  readonly pusher: ImagePusher;
}

/** Consumes the build queue: each job runs one build through clone, build, test and push. */
export function startBuildWorker(rt: Runtime, adapters: BuildAdapters): Worker<BuildJobData> {
  const announcements = createAnnouncements(rt.redis, rt.config.redisPrefix);
  const deps = {
    ...adapters,
    ...pipelineDeps(rt),
    registry: rt.config.registry.address,
    timeoutMs: rt.config.buildTimeoutMs,
    enqueueDeploy: (buildId: string, environment: string) => rt.enqueuer.enqueueDeploy({ buildId, environment }),
    announced: (buildId: string) => announcements.wait(buildId, ANNOUNCE_WAIT_MS),
  };
  return startQueueWorker<BuildJobData>(rt, BUILD_QUEUE, rt.config.buildConcurrency, async (job) => {
    const log = rt.logger.child({ build: job.data.buildId, attempt: job.attemptsMade + 1 });
    log.info('build started');
    try {
      const build = await runBuild({ ...deps, logger: log }, job.data.buildId, attemptOf(job));
      log.info({ state: build.state, detail: build.detail }, 'build finished');
    } catch (err) {
      log.warn({ err }, 'build attempt failed');
      throw toBullError(err);
    }
  }, (data, reason) => settleBuild(deps, data.buildId, reason));
}

/** Ends a build the processor could not finish as `error`, with its status, unless it already ended. */
async function settleBuild(deps: PipelineDeps, buildId: string, reason: string): Promise<void> {
  const build = await deps.store.get(buildId);
  if (!build || (build.state !== 'running' && build.state !== 'queued')) return;
  const done = await deps.store.update(buildId, (b) => Object.assign(b, { state: 'error', detail: `Slipway could not finish the build: ${reason}`, finishedAt: Date.now() }));
  await publishBuild(deps, done);
}
