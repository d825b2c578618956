import { setTimeout as sleep } from 'node:timers/promises';
import { isFinal, type Build } from '../core/build.ts';
import type { CancelRequests } from '../core/ports/cancel-requests.ts';
import type { PipelineDeps } from './deps.ts';
import { publishBuild } from './publish.ts';

export interface CancelDeps extends Pick<PipelineDeps, 'store' | 'statuses' | 'publicUrl'> {
  readonly cancels: CancelRequests;
  /** takes the build's job off the queue unless a worker holds it (Enqueuer.withdrawBuild) */
  readonly withdraw: (buildId: string) => Promise<boolean>;
}

/** How a cancel ended: the build is `cancelled`, or its worker is stopping it, or it could not apply. */
export type CancelResult =
  | { readonly cancelled: Build }
  | { readonly stopping: Build }
  | { readonly refused: string; readonly reason: 'unknown_build' | 'final'; readonly build?: Build };

/**
 * Stops a queued or running build with `reason` (its status description: `Cancelled …` or
 * `Superseded by <sha7> …`). The request is recorded for every process first; a build still on
 * the queue is then taken off it and ended here, so it never starts; a running one is ended by
 * the worker running it (its containers removed as for a timeout), which this waits for up to
 * `waitMs`. A build that finished first is refused with what it ended as. Safe to call twice.
 */
export async function cancelBuild(deps: CancelDeps, buildId: string, reason: string, waitMs = 10_000): Promise<CancelResult> {
  const build = await deps.store.get(buildId);
  if (!build) return { refused: `no build ${buildId}`, reason: 'unknown_build' };
  if (isFinal(build.state)) return finished(build);
  const claim = await deps.cancels.request(buildId, reason);
  if (claim.kind === 'sealed') return finished(await settledOrAsIs(deps, build, waitMs));
  if (await deps.withdraw(buildId)) {
    // No job will run it any more, so this is its one writer now.
    const done = await deps.store.update(buildId, (b) => {
      if (!isFinal(b.state)) Object.assign(b, { state: 'cancelled', detail: claim.kind === 'already' ? claim.reason : reason, finishedAt: Date.now() });
    });
    if (done.state === 'cancelled') await publishBuild(deps, done);
    return done.state === 'cancelled' ? { cancelled: done } : finished(done);
  }
  const now = await settledOrAsIs(deps, build, waitMs);
  if (!isFinal(now.state)) return { stopping: now };
  return now.state === 'cancelled' ? { cancelled: now } : finished(now);
}

function finished(build: Build): CancelResult {
  const what = isFinal(build.state) ? `already ended ${build.state}${build.detail ? ` (${build.detail})` : ''}` : 'is writing its outcome already';
  return { refused: `build ${build.id} ${what}; nothing to cancel`, reason: 'final', build };
}

/** The build once it has an outcome, or as it is after `waitMs`. */
async function settledOrAsIs(deps: Pick<CancelDeps, 'store'>, build: Build, waitMs: number): Promise<Build> {
  const until = Date.now() + waitMs;
  let now = build;
  while (!isFinal(now.state) && Date.now() < until) {
    await sleep(100);
    now = (await deps.store.get(build.id)) ?? now;
  }
  return now;
}
