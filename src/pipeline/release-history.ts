import { unknownTarget, type Pipeline } from '../core/pipeline.ts';
import type { BuildStore, ReleaseRecord } from '../core/ports/build-store.ts';

/** What `slipway releases` and `GET …/releases` show: the history, newest first, and the service's GitHub repository. */
export type ReleaseHistory = { readonly releases: ReleaseRecord[]; readonly repository?: string } | { readonly refused: string };

/**
 * The releases recorded in (service, environment), newest first. Refused only for a target no
 * pipeline names and no release was recorded in (a mistyped name): a preview (`pr-<n>`) and an
 * environment whose deploy entry was since removed keep their history, and the environments
 * overview links to it.
 */
export async function releaseHistory(
  deps: { readonly pipelines: readonly Pipeline[]; readonly store: Pick<BuildStore, 'releases'> },
  service: string,
  environment: string,
  limit: number,
): Promise<ReleaseHistory> {
  const unknown = unknownTarget(deps.pipelines, service, environment);
  const releases = await deps.store.releases(service, environment, limit);
  if (unknown && releases.length === 0) return { refused: unknown };
  const repository = deps.pipelines.find((p) => p.service === service)?.repository;
  return { releases, ...(repository ? { repository } : {}) };
}
