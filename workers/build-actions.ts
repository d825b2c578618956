import type { Build } from '../src/core/build.ts';
import type { BuildActions } from '../src/http/build-action-routes.ts';
import { cancelBuild, type CancelDeps } from '../src/pipeline/cancel-build.ts';
import { rerunBuild } from '../src/pipeline/rerun-build.ts';
import { cancelSuperseded } from '../src/pipeline/supersede.ts';
import { createRedisCancelRequests } from '../src/store/redis-cancel-requests.ts';
import type { Runtime } from './runtime.ts';

export interface ReleaseControl extends BuildActions {
  /** cancels the older build a newly queued one supersedes, the one that held its line before it (after the webhook's answer) */
  supersede(newer: Build, lineHeldBy: string | undefined): Promise<string[]>;
}

/** `slipway cancel`/`rerun`, their API routes and superseding pushes, on the runtime's Redis and queues. */
export function releaseControl(rt: Runtime): ReleaseControl {
  const cancelDeps: CancelDeps = {
    store: rt.store,
    statuses: rt.statuses,
    publicUrl: rt.config.publicUrl,
    cancels: createRedisCancelRequests(rt.redis, rt.config.redisPrefix),
    withdraw: (buildId) => rt.enqueuer.withdrawBuild(buildId),
  };
  return {
    cancel: (buildId, reason) => cancelBuild(cancelDeps, buildId, reason),
    rerun: (buildId) => rerunBuild({ ...cancelDeps, pipelines: rt.pipelines, enqueueBuild: (id) => rt.enqueuer.enqueueBuild({ buildId: id }) }, buildId),
    supersede: (newer, lineHeldBy) => cancelSuperseded(cancelDeps, newer, lineHeldBy),
  };
}
