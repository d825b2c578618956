import { Queue, type ConnectionOptions } from 'bullmq';
import { BUILD_QUEUE, buildJobId, DEPLOY_QUEUE, deployJobId, PREVIEW_QUEUE, previewRemovalJobId, type BuildJobData, type DeployJobData, type PreviewRemovalJobData } from './jobs.ts';
import type { JobStanding } from '../core/ports/job-standing.ts';

/** What producers need: put a build or a deploy on its queue, and ask after a job. */
export interface Enqueuer {
  enqueueBuild(data: BuildJobData): Promise<void>;
  enqueueDeploy(data: DeployJobData): Promise<void>;
  /** queues the removal of a closed pull request's preview */
  enqueuePreviewRemoval(data: PreviewRemovalJobData): Promise<void>;
  buildJob(buildId: string): Promise<JobStanding>;
  deployJob(data: DeployJobData): Promise<JobStanding>;
  /**
   * Takes a build's job off the queue unless a worker holds it: true when no job will run the
   * build any more (removed, or none left), false when one is running it now.
   */
  withdrawBuild(buildId: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * BullMQ queues under `prefix`. Jobs retry with exponential backoff when the worker says the
 * failure is retryable; finished jobs are trimmed (build records live in the BuildStore).
 */
export function createEnqueuer(connection: ConnectionOptions, prefix: string): Enqueuer {
  const defaultJobOptions = {
    attempts: 4,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  } as const;
  const builds = new Queue<BuildJobData>(BUILD_QUEUE, { connection, prefix, defaultJobOptions });
  const deploys = new Queue<DeployJobData>(DEPLOY_QUEUE, { connection, prefix, defaultJobOptions });
  const previews = new Queue<PreviewRemovalJobData>(PREVIEW_QUEUE, { connection, prefix, defaultJobOptions });
  return {
    async enqueueBuild(data) {
      await builds.add('build', data, { jobId: buildJobId(data.buildId) });
    },
    async enqueueDeploy(data) {
      await deploys.add('deploy', data, { jobId: deployJobId(data) });
    },
    async enqueuePreviewRemoval(data) {
      await previews.add('remove', data, { jobId: previewRemovalJobId(data) });
    },
    buildJob: (buildId) => standing(builds, buildJobId(buildId)),
    deployJob: (data) => standing(deploys, deployJobId(data)),
    async withdrawBuild(buildId) {
      const job = await builds.getJob(buildJobId(buildId));
      if (!job) return true;
      // remove() refuses a job a worker holds the lock of (BullMQ: "could not be removed because it is locked").
      return job.remove().then(() => true, () => false);
    },
    async close() {
      await Promise.all([builds.close(), deploys.close(), previews.close()]);
    },
  };
}

async function standing(queue: Queue, jobId: string): Promise<JobStanding> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return { state: 'missing' };
  if (state === 'completed') return { state };
  if (state === 'failed') return { state, reason: (await queue.getJob(jobId))?.failedReason };
  return { state: 'pending' };
}
