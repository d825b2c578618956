import { DelayedError, type Worker } from 'bullmq';
import type { Notifier } from '../src/core/ports/notifier.ts';
import type { Scheduler } from '../src/core/ports/scheduler.ts';
import type { Ancestry } from '../src/core/ports/ancestry.ts';
import { runDeploy } from '../src/pipeline/run-deploy.ts';
import { DEPLOY_QUEUE, type DeployJobData } from '../src/queue/jobs.ts';
import { createRedisLock } from '../src/store/redis-lock.ts';
import { attemptOf, toBullError } from './job-attempt.ts';
import { pipelineDeps, startQueueWorker, type Runtime } from './runtime.ts';

const BUSY_RETRY_MS = 2_000;
/** how long a deploy lease lives without renewal */
const LEASE_MS = 60_000;
/** deploys to different targets one worker runs at once; one target is never deployed twice at once */
const DEPLOY_CONCURRENCY = 4;

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
    ...pipelineDeps(rt),
    deadlineMs: rt.config.deployDeadlineMs,
  };
  return startQueueWorker<DeployJobData>(rt, DEPLOY_QUEUE, DEPLOY_CONCURRENCY, async (job, token) => {
    const { buildId, environment } = job.data;
    const build = await rt.store.get(buildId);
    const target = `${build?.service ?? 'unknown'}:${environment}`;
    const lease = await lock.acquire(target, LEASE_MS);
    if (!lease) {
      await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    const log = rt.logger.child({ build: buildId, environment, ...(job.data.rollback ? { rollback: true } : {}) });
    // Renewed while the rollout runs, however long the scheduler takes; lapses if this worker dies.
    const renew = setInterval(() => {
      lock.extend(target, lease, LEASE_MS).then(
        (held) => held || log.error('lost the deploy lease: another deploy to this target may start'),
        (err: unknown) => log.warn({ err }, 'could not renew the deploy lease'),
      );
    }, LEASE_MS / 3);
    try {
      const deploy = await runDeploy({ ...deps, logger: log }, buildId, environment, attemptOf(job), { rollback: job.data.rollback === true });
      log.info({ state: deploy.state, detail: deploy.detail }, 'deploy finished');
    } catch (err) {
      log.warn({ err }, 'deploy attempt failed');
      throw toBullError(err);
    } finally {
      clearInterval(renew);
      await lock.release(target, lease);
    }
  });
}
