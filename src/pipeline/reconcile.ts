import type { Build, DeployRecord } from '../core/build.ts';
import type { Unsettled } from '../core/ports/build-store.ts';
import type { JobStanding } from '../core/ports/job-standing.ts';
import type { DeployDeps, PipelineDeps } from './deps.ts';
import { settleBuild, settleDeploy } from './settle.ts';

export interface ReconcileDeps extends PipelineDeps, Pick<DeployDeps, 'notifier'> {
  readonly buildJob: (buildId: string) => Promise<JobStanding>;
  readonly deployJob: (build: Build, deploy: DeployRecord) => Promise<JobStanding>;
  readonly enqueueBuild: (buildId: string) => Promise<void>;
  readonly enqueueDeploy: (build: Build, deploy: DeployRecord) => Promise<void>;
}

/** What one pass did, by record (`build 12`, `deploy 40 of build 12`). */
export interface Reconciled {
  readonly requeued: string[];
  readonly settled: string[];
}

/**
 * One pass over the builds and deploys without an outcome that are older than `graceMs`: every
 * one must have a job that will settle it. A record still `queued` whose job was never made (the
 * server died between recording and queueing) gets its job; one whose job failed for good or is
 * gone is settled as `error` with its status. Safe to run from several workers at once (each step
 * is idempotent), though one at a time is enough.
 */
export async function reconcile(deps: ReconcileDeps, options: { graceMs: number; limit?: number }): Promise<Reconciled> {
  const done: Reconciled = { requeued: [], settled: [] };
  for (const open of await deps.store.unsettled(Date.now() - options.graceMs, options.limit ?? 500)) {
    if (open.deploy?.state === 'held') continue; // waits for a person, not for a job
    const name = open.deploy ? `deploy ${open.deploy.id} of build ${open.build.id}` : `build ${open.build.id}`;
    const job = await jobOf(deps, open);
    if (job.state === 'pending') continue;
    const state = (open.deploy ?? open.build).state;
    if (job.state === 'missing' && state === 'queued') {
      await (open.deploy ? deps.enqueueDeploy(open.build, open.deploy) : deps.enqueueBuild(open.build.id));
      deps.logger.warn({ build: open.build.id, deploy: open.deploy?.id }, `${name} had no job; queued it`);
      done.requeued.push(name);
      continue;
    }
    const reason = job.state === 'failed' ? `its job failed: ${job.reason ?? 'no reason given'}` : job.state === 'missing' ? 'its job is gone' : 'its job ended without an outcome';
    deps.logger.warn({ build: open.build.id, deploy: open.deploy?.id, reason }, `settling ${name}`);
    await (open.deploy
      ? settleDeploy(deps, { buildId: open.build.id, environment: open.deploy.environment, deployId: open.deploy.id }, reason)
      : settleBuild(deps, open.build.id, reason));
    done.settled.push(name);
  }
  return done;
}

function jobOf(deps: ReconcileDeps, open: Unsettled): Promise<JobStanding> {
  return open.deploy ? deps.deployJob(open.build, open.deploy) : deps.buildJob(open.build.id);
}
