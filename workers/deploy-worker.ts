import { DelayedError, Worker } from 'bullmq';
import type { Notifier } from '../src/core/ports/notifier.ts';
import type { Scheduler } from '../src/core/ports/scheduler.ts';
import type { Ancestry } from '../src/core/ports/ancestry.ts';
import { runDeploy } from '../src/pipeline/run-deploy.ts';
import { DEPLOY_QUEUE, type DeployJobData } from '../src/queue/jobs.ts';
import { createRedisLock } from '../src/store/redis-lock.ts';
import { attemptOf, toBullError } from './job-attempt.ts';
import type { Runtime } from './runtime.ts';

const BUSY_RETRY_MS = 2_000;

export interface DeployAdapters {
  readonly schedulers: Readonly<Record<string, Scheduler>>;
  readonly ancestry: Ancestry;
  readonly notifier: Notifier;
}

/**
 * Consumes the deploy queue. One deploy at a time per (service, environment), across every
 * worker: a job that finds the target busy goes back to the queue, delayed, without using an attempt.
 */
export function startDeployWorker(rt: Runtime, adapters: DeployAdapters): Worker<DeployJobData> {
  const lock = createRedisLock(rt.redis, rt.config.redisPrefix);
  const deps = {
    ...adapters,
    pipelines: rt.pipelines,
    store: rt.store,
    statuses: rt.statuses,
    publicUrl: rt.config.publicUrl,
    logger: rt.logger,
    deadlineMs: rt.config.deployDeadlineMs,
  };
  const worker = new Worker<DeployJobData>(
    DEPLOY_QUEUE,
    async (job, token) => {
      const { buildId, environment } = job.data;
      const build = await rt.store.get(buildId);
      const target = `${build?.service ?? 'unknown'}:${environment}`;
      const lease = await lock.acquire(target, deps.deadlineMs * 2 + 60_000);
      if (!lease) {
        await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
        throw new DelayedError();
      }
      const log = rt.logger.child({ build: buildId, environment });
      try {
        const deploy = await runDeploy({ ...deps, logger: log }, buildId, environment, attemptOf(job));
        log.info({ state: deploy.state, detail: deploy.detail }, 'deploy finished');
      } catch (err) {
        log.warn({ err }, 'deploy attempt failed');
        throw toBullError(err);
      } finally {
        await lock.release(target, lease);
      }
    },
    { connection: rt.redis, prefix: rt.queuePrefix, concurrency: 4, lockDuration: 60_000 },
  );
  worker.on('error', (err) => rt.logger.error({ err: err.message }, 'deploy worker error'));
  return worker;
}
