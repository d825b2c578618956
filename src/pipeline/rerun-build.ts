import { isFinal, type Build } from '../core/build.ts';
import type { PipelineDeps } from './deps.ts';
import { pipelineFor, publishBuild } from './publish.ts';

export interface RerunDeps extends Pick<PipelineDeps, 'store' | 'statuses' | 'publicUrl' | 'pipelines'> {
  readonly enqueueBuild: (buildId: string) => Promise<void>;
}

export type RerunResult =
  | { readonly queued: Build }
  | { readonly refused: string; readonly reason: 'unknown_build' | 'not_final' | 'no_pipeline' };

/**
 * Builds the commit of a finished build again: a new build (new id, the same event, `rerunOf`
 * naming the old one), queued with its `Queued` status. A build still queued or running is
 * refused (cancel it first), and so is one whose service no pipeline defines any more. A rerun
 * supersedes nothing, and is superseded like any build of its branch by a newer push.
 */
export async function rerunBuild(deps: RerunDeps, buildId: string): Promise<RerunResult> {
  const old = await deps.store.get(buildId);
  if (!old) return { refused: `no build ${buildId}`, reason: 'unknown_build' };
  if (!isFinal(old.state)) return { refused: `build ${buildId} is still ${old.state}; wait for it, or cancel it first (slipway cancel ${buildId})`, reason: 'not_final' };
  if (!pipelineFor(deps, old.service)) return { refused: `no pipeline defines service "${old.service}" any more`, reason: 'no_pipeline' };
  const created = await deps.store.create(old.service, old.event);
  // Not queued yet, so nobody else writes it.
  const build = await deps.store.update(created.id, (b) => void (b.rerunOf = old.id));
  await deps.enqueueBuild(build.id);
  await publishBuild(deps, build);
  return { queued: build };
}
