import { Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../src/config/config.ts';
import { loadPipelines } from '../src/config/load-pipelines.ts';
import type { Pipeline } from '../src/core/pipeline.ts';
import type { BuildStore } from '../src/core/ports/build-store.ts';
import type { StatusReporter } from '../src/core/ports/status-reporter.ts';
import type { PipelineDeps } from '../src/pipeline/deps.ts';
import { appPrivateKey } from '../src/github/app-jwt.ts';
import { createGitHubTokens, type GitHubTokens } from '../src/github/github-tokens.ts';
import type { DeploymentReporter } from '../src/core/ports/deployment-reporter.ts';
import { createGitHubDeploymentReporter } from '../src/github/deployment-reporter.ts';
import { createRedisDeploymentIds } from '../src/store/redis-deployment-ids.ts';
import { installationsFromBuilds } from '../src/github/installations-from-builds.ts';
import { createGitHubStatusReporter } from '../src/github/status-reporter.ts';
import { withOutcomeCounts } from '../src/metrics/count-outcomes-store.ts';
import { createOutcomeCounts } from '../src/metrics/outcome-counts.ts';
import { createEnqueuer, type Enqueuer } from '../src/queue/queues.ts';
import { previewSettings, schedulerSettings } from '../src/schedulers/settings.ts';
import { createRedisBuildStore } from '../src/store/redis-build-store.ts';
import { connectRedis } from '../src/store/redis-connection.ts';
import { createRedisStatusGate } from '../src/store/redis-status-gate.ts';

/** What the server and the workers share: validated config, pipelines, Redis, store, queues, statuses. */
export interface Runtime {
  readonly config: Config;
  readonly pipelines: readonly Pipeline[];
  readonly logger: Logger;
  readonly redis: Redis;
  readonly store: BuildStore;
  readonly enqueuer: Enqueuer;
  readonly statuses: StatusReporter;
  /** each deploy as a GitHub deployment */
  readonly deployments: DeploymentReporter;
  /** GitHub tokens for statuses and clones: the App's installation tokens, else GITHUB_TOKEN */
  readonly githubTokens: GitHubTokens;
  readonly queuePrefix: string;
  close(): Promise<void>;
}

/** The part of the pipeline deps every job shares, taken from the runtime. */
export function pipelineDeps(rt: Runtime): PipelineDeps {
  return { pipelines: rt.pipelines, store: rt.store, statuses: rt.statuses, deployments: rt.deployments, publicUrl: rt.config.publicUrl, logger: rt.logger };
}

/**
 * A BullMQ worker on one of Slipway's queues, with the runtime's connection, prefix and error log.
 * `settle` runs when a job has failed for good (last attempt, or stalled out), so a record the
 * processor could not finish is not left `running` for ever.
 */
export function startQueueWorker<T>(
  rt: Runtime,
  queue: string,
  concurrency: number,
  process: Processor<T>,
  settle?: (data: T, reason: string) => Promise<void>,
): Worker<T> {
  // A killed worker's job is noticed as stalled within lockDuration + stalledInterval, and after
  // a second stall it fails for good (maxStalledCount 1), which `settle` then records.
  const lease = rt.config.jobLeaseMs;
  const worker = new Worker<T>(queue, process, { connection: rt.redis, prefix: rt.queuePrefix, concurrency, lockDuration: lease, stalledInterval: Math.min(30_000, lease / 2), maxStalledCount: 1 });
  worker.on('error', (err) => rt.logger.error({ err: err.message, queue }, 'worker error'));
  worker.on('failed', (job, err) => {
    const final = job !== undefined && (err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1));
    if (final && settle) settle(job.data, err.message).catch((e: unknown) => rt.logger.error({ err: e, queue, build: (job.data as { buildId?: string }).buildId }, 'could not settle a failed job'));
  });
  return worker;
}

/**
 * Loads pipelines unless given them (throwing PIPELINE_INVALID before anything connects) and connects to Redis.
 * `fail-fast` (the HTTP server) makes commands fail at once while Redis is down, so a webhook
 * decides itself how long to wait for it (and answers 503 in time for GitHub); `patient` (workers,
 * and BullMQ's requirement there) holds commands until Redis is back.
 */
export function createRuntime(
  config: Config,
  logger: Logger,
  redisMode: 'fail-fast' | 'patient',
  pipelines: readonly Pipeline[] = loadPipelines(config.pipelinesDir, schedulerSettings, previewSettings),
): Runtime {
  const redis = connectRedis(
    config,
    {
      // Back within half a second of Redis: the default backs off to 2 s between attempts.
      retryStrategy: (times: number) => Math.min(times * 50, 500),
      ...(redisMode === 'patient'
        ? { maxRetriesPerRequest: null }
        : // No auto-pipelining: a delivery sends two commands, one after the other (its record, then
          // its job), and batching them cost more than it saved: 183–239 µs of server CPU per
          // delivery without, 257–301 µs with (bench:webhook, side by side).
          { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
    },
  );
  redis.on('error', (err) => logger.warn({ err: err.message }, 'Redis connection problem'));
  const queuePrefix = `${config.redisPrefix}:queue`;
  const { app, token, apiUrl } = config.github;
  const githubTokens = createGitHubTokens({ apiUrl, token, app: app && { appId: app.appId, privateKey: appPrivateKey(app.privateKey) } });
  return {
    config,
    pipelines,
    logger,
    redis,
    // Every build and deploy outcome is counted for /metrics where it is written (see outcome-counts.ts),
    // and every build read or recorded names its App installation to the tokens.
    store: installationsFromBuilds(
      withOutcomeCounts(
        createRedisBuildStore(redis, config.redisPrefix, { logMaxLines: config.logMaxLines }),
        createOutcomeCounts(redis, config.redisPrefix),
        (err, about) => logger.warn({ err, ...about }, 'could not count an outcome for /metrics'),
      ),
      githubTokens,
    ),
    enqueuer: createEnqueuer(redis, queuePrefix),
    statuses: createGitHubStatusReporter({ tokens: githubTokens, apiUrl, logger, gate: createRedisStatusGate(redis, config.redisPrefix) }),
    deployments: createGitHubDeploymentReporter({ tokens: githubTokens, apiUrl, logger, ids: createRedisDeploymentIds(redis, config.redisPrefix), gate: createRedisStatusGate(redis, config.redisPrefix) }),
    githubTokens,
    queuePrefix,
    async close() {
      await this.enqueuer.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
