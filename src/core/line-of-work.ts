import type { Build } from './build.ts';

/**
 * The line of work a build belongs to: `push:<branch>` for a push, `pr:<number>` for a pull
 * request (its number, not its head branch: two forks may both push a `main`). A newer build of a
 * line supersedes the older ones (src/pipeline/supersede.ts).
 */
export function lineOf(build: Pick<Build, 'event'>): string {
  const { event } = build;
  return event.kind === 'pull_request' ? `pr:${event.pullRequest?.number ?? event.branch}` : `push:${event.branch}`;
}
