import type { Build } from '../core/build.ts';
import { describeError } from '../core/errors.ts';
import { pathsSkipReason, touchesPaths } from '../core/paths-filter.ts';
import type { Pipeline } from '../core/pipeline.ts';
import type { BuildLog } from '../core/ports/build-log.ts';
import type { ChangeBase } from '../core/ports/changed-files.ts';
import type { Checkout } from '../core/ports/source-fetcher.ts';
import { skipWordIn, skipWordReason } from '../core/skip-words.ts';
import type { BuildDeps } from './deps.ts';

/**
 * Why this build has nothing to do, decided from git after the fetch (the webhook decides what it
 * can from the payload and answers 202 without queueing): a skip word in a pull request's head
 * commit (its payload carries no commit message), or a pipeline with `paths` none of which the
 * commit changed, counted against the push's `before`, a new branch's default branch, or a pull
 * request's base branch. Undefined: build. A rerun (`slipway rerun`) is a person asking, so it
 * always builds; so does a commit git cannot compare (the log says why).
 */
export async function reasonToSkip(deps: Pick<BuildDeps, 'source'>, build: Build, pipeline: Pipeline, checkout: Checkout, log: BuildLog, signal: AbortSignal): Promise<string | undefined> {
  const e = build.event;
  if (build.rerunOf) return undefined;
  if (e.kind === 'pull_request') {
    const word = skipWordIn(checkout.message);
    if (word) return `Skipped: ${skipWordReason(word, e.sha)}`;
  }
  if (!pipeline.paths || e.filesListed) return undefined;
  const base = changeBase(build);
  if (!base || !deps.source.changedFiles) {
    log.line(`paths: cannot tell which files ${e.sha.slice(0, 7)} changed (no earlier commit or branch to compare with); building`);
    return undefined;
  }
  let files: readonly string[] | undefined;
  try {
    files = await deps.source.changedFiles({ cloneUrl: pipeline.cloneUrl ?? e.cloneUrl, base, head: e.sha }, signal);
  } catch (err) {
    // Not knowing is never a failed build: only a stop ends it here.
    if (signal.aborted) throw err;
    log.line(`paths: could not compare with ${since(base)}: ${describeError(err)}; building`);
    return undefined;
  }
  if (files === undefined) {
    log.line(`paths: ${since(base)} is not in the repository's history any more; building`);
    return undefined;
  }
  if (touchesPaths(pipeline.paths, files)) {
    log.line(`paths: ${files.length} file(s) changed since ${since(base)}, some in paths; building`);
    return undefined;
  }
  return pathsSkipReason(pipeline.paths, since(base));
}

/** What the commit's changes are counted against: GitHub's own choices for push and pull request filters. */
function changeBase(build: Build): ChangeBase | undefined {
  const e = build.event;
  if (e.kind === 'pull_request') return e.pullRequest ? { branch: e.pullRequest.baseBranch } : undefined;
  if (e.before) return { commit: e.before };
  // A new branch: what it adds on top of the default branch. The default branch's own first push has nothing before it.
  return e.defaultBranch && e.defaultBranch !== e.branch ? { branch: e.defaultBranch } : undefined;
}

function since(base: ChangeBase): string {
  return 'commit' in base ? base.commit.slice(0, 7) : base.branch;
}

/** Ends the stages that will not run as `skipped` with the reason; the build's verdict is `skipped`. */
export async function skipRest(deps: Pick<BuildDeps, 'store'>, buildId: string, reason: string): Promise<{ state: 'skipped'; detail: string }> {
  await deps.store.update(buildId, (b) => {
    for (const stage of b.stages) if (stage.state === 'pending') Object.assign(stage, { state: 'skipped', detail: reason });
  });
  return { state: 'skipped', detail: reason };
}
