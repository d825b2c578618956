import type { DeployRecord } from '../src/core/build.ts';
import { SlipwayError } from '../src/core/errors.ts';
import type { ImageBuilder } from '../src/core/ports/image-builder.ts';
import type { ImagePusher } from '../src/core/ports/image-pusher.ts';
import type { SourceFetcher } from '../src/core/ports/source-fetcher.ts';
import type { TestRunner } from '../src/core/ports/test-runner.ts';
import { BUILD_QUEUE, type BuildJobData } from '../src/queue/jobs.ts';
import { settleBuild } from '../src/pipeline/settle.ts';
import { runBuild } from '../src/pipeline/run-build.ts';
import { createBuildCacheWarmer } from '../src/pipeline/warm-build-cache.ts';
import { createCancelWatch } from '../src/store/cancel-watch.ts';
import { createPushedImages } from '../src/store/pushed-images-channel.ts';
import { createRedisCancelRequests } from '../src/store/redis-cancel-requests.ts';
import type { Janitor } from './janitor.ts';
import { attemptOf, toBullError } from './job-attempt.ts';
import { pipelineDeps, startQueueWorker, type Runtime } from './runtime.ts';

export interface BuildAdapters {
  readonly source: SourceFetcher;
  readonly builder: ImageBuilder;
  readonly tests: TestRunner;
  readonly pusher: ImagePusher;
}

/**
 * Consumes the build queue: each job runs one build through clone, build, test and push. `close`
 * (SIGTERM) stops the builds running here at once and hands them back to the queue, where another
 * worker (or this one, restarted) builds them again: a build is cheap to restart, a wait is not.
 */
export function startBuildWorker(rt: Runtime, adapters: BuildAdapters, janitor?: Pick<Janitor, 'afterBuild' | 'afterPull'>): { close(): Promise<void> } {
  const stopping = new AbortController();
  const cancels = createRedisCancelRequests(rt.redis, rt.config.redisPrefix);
  // `slipway cancel` or a newer push, asked on any process, reaches the build running here.
  const watch = createCancelWatch(rt.redis, rt.config.redisPrefix, cancels, rt.logger);
  // Images pushed by any worker, which every build worker pulls while it waits (below).
  const pushes = createPushedImages(rt.redis, rt.config.redisPrefix, rt.logger);
  const deps = {
    cancels,
    ...adapters,
    ...pipelineDeps(rt),
    registry: rt.config.registry.address,
    timeoutMs: rt.config.buildTimeoutMs,
    enqueueDeploy: (buildId: string, deploy: DeployRecord) => rt.enqueuer.enqueueDeploy({ buildId, environment: deploy.environment, deployId: deploy.id }),
  };
  const worker = startQueueWorker<BuildJobData>(rt, BUILD_QUEUE, rt.config.buildConcurrency, async (job) => {
    const log = rt.logger.child({ build: job.data.buildId, attempt: job.attemptsMade + 1 });
    log.info('build started');
    const cancel = watch.watch(job.data.buildId);
    try {
      const build = await runBuild({ ...deps, logger: log }, job.data.buildId, attemptOf(job), AbortSignal.any([stopping.signal, cancel.signal]));
      log.info({ state: build.state, detail: build.detail }, 'build finished');
      await pushes.announce(build); // never rejects
      await janitor?.afterBuild(build.service); // never throws
    } catch (err) {
      log.warn({ err }, 'build attempt failed');
      throw toBullError(err);
    } finally {
      cancel.stop();
    }
  }, (data, reason) => settleBuild(deps, data.buildId, reason));
  // The services' last pushed images, at the start and after each push by any worker, so that
  // this worker's next build of each reuses their layers instead of pulling them.
  const warmer = createBuildCacheWarmer({ ...deps, logger: rt.logger }, stopping.signal, janitor?.afterPull);
  for (const { service } of deps.pipelines) warmer.warm(service);
  void pushes.follow(warmer.warm);
  return {
    async close() {
      stopping.abort(new SlipwayError('WORKER_STOPPING', 'the worker building it was stopped; it is built again'));
      await worker.close();
      await watch.close();
      await pushes.close();
    },
  };
}
