import type { Build } from '../src/core/build.ts';
import type { BuildActions } from '../src/http/build-action-routes.ts';
import { cancelBuild, type CancelDeps } from '../src/pipeline/cancel-build.ts';
import { rerunBuild } from '../src/pipeline/rerun-build.ts';
import { supersedeOlder } from '../src/pipeline/supersede.ts';
import { createBuildLines } from '../src/store/build-lines.ts';
import { createRedisCancelRequests } from '../src/store/redis-cancel-requests.ts';
import type { Runtime } from './runtime.ts';

export interface ReleaseControl extends BuildActions {
  /** cancels the older builds a newly queued one supersedes (after the webhook's answer) */
  supersede(newer: Build): Promise<string[]>;
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
  const claimLine = createBuildLines(rt.redis, rt.config.redisPrefix);
  return {
    cancel: (buildId, reason) => cancelBuild(cancelDeps, buildId, reason),
    rerun: (buildId) => rerunBuild({ ...cancelDeps, pipelines: rt.pipelines, enqueueBuild: (id) => rt.enqueuer.enqueueBuild({ buildId: id }) }, buildId),
    supersede: (newer) => supersedeOlder({ ...cancelDeps, claimLine }, newer),
  };
}
