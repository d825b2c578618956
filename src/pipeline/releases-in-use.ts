import type { Pipeline } from '../core/pipeline.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { PreviewClosings } from '../core/ports/preview-closings.ts';
import { removedPreview } from './preview-closed.ts';
import { LOOKBACK, previousBuildId } from './queue-rollback.ts';

/** What retention keeps of a service whatever its age: what its environments run or could roll back to. */
export interface ReleasesInUse {
  /** the environments that still run something, their current release checked again as each build is deleted */
  readonly environments: readonly string[];
  /** in each of them, the build running there and the one a rollback there would put back */
  readonly buildIds: ReadonlySet<string>;
  /** the first 7 of those builds' commits: their `git-*`/`pr<n>-*` images stay */
  readonly shas: ReadonlySet<string>;
}

export interface ReleasesInUseDeps {
  readonly store: Pick<BuildStore, 'releases' | 'releaseTargets'>;
  /** without it, every preview counts as open */
  readonly closings?: Pick<PreviewClosings, 'closedAt'>;
}

/**
 * The releases of `pipeline`'s service that are in use: in every environment its deploy entries
 * name, and in every other one a release was recorded in (a preview `pr-<n>`, an entry since
 * removed: nothing took those down), except a preview whose pull request closed after its last
 * release (its containers are removed). Each gives its current release and the one a rollback
 * there would put back (`previousBuildId`).
 */
export async function releasesInUse(deps: ReleasesInUseDeps, pipeline: Pipeline): Promise<ReleasesInUse> {
  const service = pipeline.service;
  const named = pipeline.deploy.map((t) => t.environment);
  const recorded = (await deps.store.releaseTargets()).filter((t) => t.service === service).map((t) => t.environment);
  const candidates = [...new Set([...named, ...recorded])];
  const histories = await Promise.all(candidates.map((environment) => deps.store.releases(service, environment, LOOKBACK)));
  const open = await Promise.all(candidates.map(async (environment, n) => named.includes(environment) || !(await removedPreview(deps.closings, service, environment, histories[n]![0]?.deployedAt))));
  const environments: string[] = [];
  const buildIds = new Set<string>();
  const shas = new Set<string>();
  candidates.forEach((environment, n) => {
    if (!open[n]) return;
    environments.push(environment);
    const history = histories[n]!;
    const back = previousBuildId(history);
    for (const release of [history[0], history.find((r) => r.buildId === back)]) {
      if (!release) continue;
      buildIds.add(release.buildId);
      shas.add(release.sha.slice(0, 7));
    }
  });
  return { environments, buildIds, shas };
}
