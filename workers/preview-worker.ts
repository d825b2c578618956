import type { Worker } from 'bullmq';
import type { Scheduler } from '../src/core/ports/scheduler.ts';
import { removePreview } from '../src/pipeline/remove-preview.ts';
import { PREVIEW_QUEUE, type PreviewRemovalJobData } from '../src/queue/jobs.ts';
import { createRedisLock } from '../src/store/redis-lock.ts';
import { createRedisPreviewClosings } from '../src/store/redis-preview-closings.ts';
import { underLease } from './deploy-worker.ts';
import { pipelineDeps, startQueueWorker, type Runtime } from './runtime.ts';

/** removals at once per worker; one target is never removed while it deploys */
const REMOVAL_CONCURRENCY = 2;

/**
 * Consumes the preview queue: removes the preview of a closed pull request under the same lease
 * as the target's deploys, so a removal and a deploy of one preview never overlap. A removal that
 * fails for good is in the operator's log and in BullMQ's failed jobs; closing the pull request
 * again (or reopening and closing it) queues it anew.
 */
export function startPreviewWorker(rt: Runtime, schedulers: Readonly<Record<string, Scheduler>>): Worker<PreviewRemovalJobData> {
  const lock = createRedisLock(rt.redis, rt.config.redisPrefix);
  const deps = { ...pipelineDeps(rt), schedulers, closings: createRedisPreviewClosings(rt.redis, rt.config.redisPrefix) };
  return startQueueWorker<PreviewRemovalJobData>(rt, PREVIEW_QUEUE, REMOVAL_CONCURRENCY, async (job, token) => {
    const { service, environment } = job.data;
    const log = rt.logger.child({ service, environment, delivery: job.data.deliveryId });
    await underLease({ lock, leaseMs: rt.config.jobLeaseMs, log }, `${service}:${environment}`, job, token, async () => {
      const outcome = await removePreview({ ...deps, logger: log }, job.data);
      log.info({ outcome }, 'preview removal finished');
    });
  }, async (data, reason) => rt.logger.error({ service: data.service, environment: data.environment, reason }, 'preview removal failed for good; close the pull request again to retry'));
}
