import type { Build } from '../core/build.ts';
import { cancelBuild, type CancelDeps } from './cancel-build.ts';

export interface SupersedeDeps extends CancelDeps {
  /** the builds of a service older than a build id that have no outcome yet */
  readonly openBuilds: (service: string, beforeId: string) => Promise<Build[]>;
}

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
 * Cancels the older builds `newer` supersedes that are still queued or running, without waiting
 * for their workers to stop them. Returns the ids it asked to stop. Safe to run twice.
 */
export async function supersedeOlder(deps: SupersedeDeps, newer: Build): Promise<string[]> {
  if (newer.rerunOf !== undefined) return [];
  const older = (await deps.openBuilds(newer.service, newer.id)).filter((b) => supersedes(newer, b));
  for (const build of older) await cancelBuild(deps, build.id, supersededReason(newer), 0);
  return older.map((b) => b.id);
}
