import { DelayedError, type Job, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Ancestry } from '../src/core/ports/ancestry.ts';
import type { Notifier } from '../src/core/ports/notifier.ts';
import type { Scheduler } from '../src/core/ports/scheduler.ts';
import { SlipwayError } from '../src/core/errors.ts';
import { runDeploy } from '../src/pipeline/run-deploy.ts';
import { settleDeploy } from '../src/pipeline/settle.ts';
import { DEPLOY_QUEUE, type DeployJobData } from '../src/queue/jobs.ts';
import { createRedisHeldDeploys } from '../src/store/redis-held-deploys.ts';
import { createRedisPreviewClosings } from '../src/store/redis-preview-closings.ts';
import { keepLease, type KeptLease } from '../src/store/kept-lease.ts';
import { createRedisLock, type Lock } from '../src/store/redis-lock.ts';
import { attemptOf, toBullError } from './job-attempt.ts';
import { pipelineDeps, startQueueWorker, type Runtime } from './runtime.ts';

const BUSY_RETRY_MS = 2_000;
/** deploys to different targets one worker runs at once; one target is never deployed twice at once */
const DEPLOY_CONCURRENCY = 4;

export interface DeployAdapters {
  readonly schedulers: Readonly<Record<string, Scheduler>>;
  readonly ancestry: Ancestry;
  readonly notifier: Notifier;
}

/**
 * Consumes the deploy queue. One deploy at a time per (service, environment), across every
 * worker: a job that finds the target busy goes back to the queue, delayed, without using an
 * attempt. The lease is renewed while the rollout runs; if it is lost (not renewed within its
 * lifetime, or taken over), the rollout is aborted rather than racing another deploy.
 */
export function startDeployWorker(rt: Runtime, adapters: DeployAdapters): Worker<DeployJobData> {
  // As long as a worker's hold on its job: a killed worker's target is free when its job is taken again.
  const leaseMs = rt.config.jobLeaseMs;
  const lock = createRedisLock(rt.redis, rt.config.redisPrefix);
  const deps = {
    ...adapters,
    ...pipelineDeps(rt),
    deadlineMs: rt.config.deployDeadlineMs,
    held: createRedisHeldDeploys(rt.redis, rt.config.redisPrefix),
    closings: createRedisPreviewClosings(rt.redis, rt.config.redisPrefix),
  };
  return startQueueWorker<DeployJobData>(rt, DEPLOY_QUEUE, DEPLOY_CONCURRENCY, async (job, token) => {
    const { buildId, environment } = job.data;
    const build = await rt.store.get(buildId);
    const log = rt.logger.child({ build: buildId, environment, deploy: job.data.deployId, ...(job.data.rollback ? { rollback: true } : {}) });
    await underLease({ lock, leaseMs, log }, `${build?.service ?? 'unknown'}:${environment}`, job, token, async (signal) => {
      const deploy = await runDeploy({ ...deps, logger: log }, job.data, attemptOf(job), signal);
      log.info({ state: deploy.state, detail: deploy.detail }, 'deploy finished');
    });
  }, (data, reason) => settleDeploy(deps, data, reason));
}

/**
 * Runs `work` holding the deploy lease of `target` (`<service>:<environment>`), aborting its
 * signal if the lease is lost. A target another job holds sends this job back to the queue,
 * delayed, without using an attempt. Failures reach BullMQ in its vocabulary.
 */
export async function underLease(
  l: { readonly lock: Lock; readonly leaseMs: number; readonly log: Logger },
  target: string,
  job: Job,
  token: string | undefined,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const lease = await l.lock.acquire(target, l.leaseMs);
  if (!lease) {
    await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
    throw new DelayedError();
  }
  const held = holdLease(l.lock, target, lease, l.leaseMs, l.log);
  try {
    await work(held.signal);
  } catch (err) {
    l.log.warn({ err }, `${job.name} attempt failed`);
    throw toBullError(err);
  } finally {
    held.stop();
    await l.lock.release(target, lease).catch(() => undefined);
  }
}

/**
 * Renews the lease while the work runs. The signal aborts when the lease is gone: taken over, or
 * not renewed before it lapsed (Redis unreachable for that long), since another worker may then
 * hold it.
 */
function holdLease(lock: Lock, name: string, token: string, leaseMs: number, log: Logger): KeptLease {
  return keepLease(lock, name, token, leaseMs, {
    onLost(loss) {
      const why = loss === 'taken' ? 'another deploy holds it now' : `not renewed for ${Math.round(leaseMs / 1000)}s`;
      log.error(`lost the deploy lease: ${why}`);
      return new SlipwayError('DEPLOY_LEASE_LOST', `Slipway lost the lease on this deploy target (${why}); stopped so that two deploys never run at once. Deploy again once Redis is healthy.`);
    },
    onRenewFailed: (err) => log.warn({ err }, 'could not renew the deploy lease'),
  });
}
