import { isFinal, type Build } from '../core/build.ts';
import { cancelBuild, type CancelDeps } from './cancel-build.ts';

/**
 * What a build supersedes: older builds of the same service for the same line of work. A push
 * supersedes pushes to the same branch; a pull request's build supersedes the builds of the same
 * pull request (its number, not its head branch: two forks may both push a `main`). A push and a
 * pull request never supersede each other, and a rerun supersedes nothing (it may build an older
 * commit on purpose). Pure.
 */
export function supersedes(newer: Build, older: Build): boolean {
  if (newer.rerunOf !== undefined || older.service !== newer.service || Number(older.id) >= Number(newer.id)) return false;
  const [a, b] = [newer.event, older.event];
  if (a.kind !== b.kind) return false;
  return a.kind === 'pull_request' ? a.pullRequest?.number === b.pullRequest?.number : a.branch === b.branch;
}

/** `Superseded by 1a2b3c4 (build 13)`: the older build's detail and commit status. */
export function supersededReason(newer: Build): string {
  return `Superseded by ${newer.event.sha.slice(0, 7)} (build ${newer.id})`;
}

/**
 * Cancels the build `newer` supersedes if it is still queued or running, without waiting for its
 * worker to stop it. Each build takes its line (branch or pull request) in the step that records it
 * (the delivery ledger), and gets back the build that held the line before, `lineHeldBy`; it
 * cancels that one, so every older build of the line was cancelled by the build after it: one read
 * per delivery, however many builds the service has. Returns the ids it asked to stop. A rerun
 * takes no line: it supersedes nothing and nothing supersedes it.
 */
export async function cancelSuperseded(deps: CancelDeps, newer: Build, lineHeldBy: string | undefined): Promise<string[]> {
  const older = lineHeldBy === undefined || newer.rerunOf !== undefined ? undefined : await deps.store.get(lineHeldBy);
  if (!older || isFinal(older.state) || !supersedes(newer, older)) return [];
  await cancelBuild(deps, older.id, supersededReason(newer), 0);
  return [older.id];
}
