import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Pipeline } from '../src/core/pipeline.ts';
import type { BuildStore } from '../src/core/ports/build-store.ts';
import { createImagePruner, type ImagePruner } from '../src/docker/image-pruner.ts';
import { pruneMirrors } from '../src/git/mirror-pruner.ts';
import { releasesInUse } from '../src/pipeline/releases-in-use.ts';
import { createBuildRetention } from '../src/store/build-retention.ts';
import { createRedisPreviewClosings } from '../src/store/redis-preview-closings.ts';
import type { Runtime } from './runtime.ts';

/** A janitor round that takes longer than this no longer holds up the build job that ran it. */
const ROUND_MS = 60_000;

/**
 * Nothing grows for ever: after each finished build of a service, its builds past
 * SLIPWAY_KEEP_BUILDS go (with their logs) and so do their images in this worker's engine, except
 * what an environment, previews included, runs or could roll back to (releases-in-use.ts); at
 * worker start, mirrors of repositories no pipeline names go. Never throws: what fails is logged
 * and tried again next round.
 */
export interface Janitor {
  afterBuild(service: string): Promise<void>;
  /**
   * After this worker pulled a service's image it did not build (warm-build-cache.ts, following
   * the pushes of others): that service's images of builds no longer kept go from its engine, so
   * a worker that never builds the service holds no more of them than one that does.
   */
  afterPull(service: string): Promise<void>;
  atStart(): Promise<void>;
}

export interface JanitorDeps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly store: BuildStore;
  readonly pipelines: readonly Pipeline[];
  readonly keepBuilds: number;
  /** `host[:port][/namespace]` build images are named under */
  readonly registry: string;
  readonly images: ImagePruner;
  readonly dataDir: string;
  readonly logger: Logger;
}

/** The janitor of a worker, from its runtime and its engine. */
export function janitorFor(rt: Runtime, docker: Docker): Janitor {
  const { config } = rt;
  const logger = rt.logger.child({ part: 'janitor' });
  return createJanitor({
    redis: rt.redis, prefix: config.redisPrefix, store: rt.store, pipelines: rt.pipelines, keepBuilds: config.keepBuilds,
    registry: config.registry.address, images: createImagePruner(docker, logger), dataDir: config.dataDir, logger,
  });
}

export function createJanitor(deps: JanitorDeps): Janitor {
  const retention = createBuildRetention(deps.redis, deps.prefix);
  /** when previews were removed: a removed one's releases are no longer in use */
  const closings = createRedisPreviewClosings(deps.redis, deps.prefix);
  /** services whose images this process has pruned: after that, only when builds were deleted */
  const imagesPruned = new Set<string>();

  /** after a build: builds past the limit, then images (once per process, then when builds went); after a pull: images */
  async function round(service: string, after: 'build' | 'pull'): Promise<void> {
    const pipeline = deps.pipelines.find((p) => p.service === service);
    if (!pipeline) return;
    const inUse = await releasesInUse({ store: deps.store, closings }, pipeline);
    if (after === 'build') {
      const deleted = await retention.prune(service, { keep: deps.keepBuilds, protect: inUse.buildIds, environments: inUse.environments });
      if (deleted.length > 0) deps.logger.info({ service, deleted: deleted.length, oldest: deleted[0] }, 'deleted builds past SLIPWAY_KEEP_BUILDS');
      if (deleted.length === 0 && imagesPruned.has(service)) return;
      imagesPruned.add(service);
    }
    const keptShas = await retention.keptShas(service);
    for (const sha of inUse.shas) keptShas.add(sha);
    await deps.images.prune(`${deps.registry}/${service}`, keptShas);
  }

  /** a round that holds up its caller (a build job, the cache warmer) for ROUND_MS at most */
  async function bounded(service: string, after: 'build' | 'pull'): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(() => {
      deps.logger.warn({ service }, `janitor round still running after ${ROUND_MS / 1000} s; the ${after === 'build' ? 'build job' : 'cache warmer'} goes on`);
      resolve();
    }, ROUND_MS)));
    const work = round(service, after).catch((err: unknown) => deps.logger.warn({ err, service }, 'janitor round failed'));
    await Promise.race([work, late]);
    clearTimeout(timer);
  }

  return {
    afterBuild: (service) => bounded(service, 'build'),
    afterPull: (service) => bounded(service, 'pull'),

    async atStart() {
      const indexed = await retention.indexExisting().catch((err: unknown) => void deps.logger.warn({ err }, 'could not index existing builds by service'));
      if (indexed) deps.logger.info({ builds: indexed }, 'indexed existing builds by service');
      await pruneMirrors(deps.dataDir, deps.pipelines, deps.logger).catch((err: unknown) => deps.logger.warn({ err }, 'could not prune git mirrors'));
    },
  };
}
