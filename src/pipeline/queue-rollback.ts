import { unknownTarget } from '../core/pipeline.ts';
import type { ReleaseRecord } from '../core/ports/build-store.ts';
import { buildUrl } from './publish.ts';
import { notDeployable, queueRequestedDeploy, type RequestDeps, type RequestResult } from './queue-requested-deploy.ts';

/** How far back in a target's release history a rollback looks for the release before the current one. */
export const LOOKBACK = 20;

/** `enqueueDeploy` queues the job of a rollback's deploy record (the ancestry fence does not apply). */
export type RollbackDeps = RequestDeps;

export interface RollbackRequest {
  readonly service: string;
  readonly environment: string;
  /** the build to put back; default: the release before the current one */
  readonly to?: string;
}

/** What was queued, or why nothing was: `unknown_target` is a wrong command line, the others the state of things. */
export type RollbackResult = RequestResult;

/**
 * Queues a rollback: a deploy of an earlier build's pushed image to one (service, environment),
 * by default the most recent release whose image differs from the current one. Records the
 * deploy as queued on that build and posts its pending status before queueing, as a push does.
 * Changes nothing when it refuses. The deploy job itself runs on a worker.
 */
export async function queueRollback(deps: RollbackDeps, request: RollbackRequest): Promise<RollbackResult> {
  const { service, environment } = request;
  const unknown = unknownTarget(deps.pipelines, service, environment);
  if (unknown) return { refused: unknown, reason: 'unknown_target' };
  const history = await deps.store.releases(service, environment, LOOKBACK);
  const current = history[0];
  const chosen = request.to ?? previousBuildId(history);
  if (!chosen) {
    const refused = !current
      ? `nothing has been released to ${service} in ${environment} yet; name a build with --to`
      : history.every((r) => r.image === current.image)
        ? `${service} has no earlier release in ${environment} to roll back to: build ${current.buildId} (${current.sha.slice(0, 7)}) is the only one recorded; name a build with --to`
        : `${service} has no earlier release in ${environment} to roll back to: the ones before build ${current.buildId} (${current.sha.slice(0, 7)}) were already rolled back from; name a build with --to`;
    return { refused, reason: 'nothing_to_roll_back' };
  }
  const build = await deps.store.get(chosen);
  const problem = notDeployable(build, chosen, service);
  if (problem || !build) return { refused: problem ?? `no build ${chosen}`, reason: 'not_deployable' };
  const deploy = await queueRequestedDeploy(deps, build, environment, 'rollback');
  return { queued: { build, deploy, current, url: buildUrl(deps.publicUrl, build.id) } };
}

/**
 * The release a rollback puts back: the most recent one whose image is not the current one's (a
 * redeploy of the same image is no step back) and that no rollback has already replaced, so that
 * rolling back twice walks further back instead of restoring the release rolled away from.
 */
export function previousBuildId(history: readonly ReleaseRecord[]): string | undefined {
  const [current] = history;
  const replaced = new Set(history.flatMap((r) => (r.replaced ? [r.replaced] : [])));
  return history.find((r) => r.image !== current?.image && !replaced.has(r.buildId))?.buildId;
}
