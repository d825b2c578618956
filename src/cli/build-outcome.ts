import type { Build, DeployState } from '../core/build.ts';
import { formatDuration } from '../core/duration.ts';

const DEPLOY_FAILED: readonly DeployState[] = ['failed', 'rolled_back', 'error'];

/**
 * The exit code a followed build ends `slipway logs -f` with: 0 when it passed (or was skipped)
 * and the latest deploy to each environment did not fail (succeeded, skipped, or waiting for
 * approval), 1 otherwise (failed, error, cancelled, or a deploy failed or was rolled back). Pure.
 */
export function outcomeCode(build: Pick<Build, 'state' | 'deploys'>): 0 | 1 {
  if (build.state !== 'passed' && build.state !== 'skipped') return 1;
  const latest = new Map<string, DeployState>();
  for (const d of build.deploys) latest.set(d.environment, d.state);
  return [...latest.values()].some((s) => DEPLOY_FAILED.includes(s)) ? 1 : 0;
}

/** `build 12 passed in 1m 05s; staging succeeded, production held`: the last line `logs -f` prints. Pure. */
export function outcomeLine(build: Build): string {
  const took = build.startedAt !== undefined && build.finishedAt !== undefined ? ` in ${formatDuration(build.finishedAt - build.startedAt)}` : '';
  const latest = new Map<string, string>();
  for (const d of build.deploys) latest.set(d.environment, d.state === 'held' ? 'waiting for approval' : d.state);
  const deploys = [...latest].map(([env, state]) => `${env} ${state}`).join(', ');
  return `build ${build.id} ${build.state}${took}${build.detail ? ` (${build.detail})` : ''}${deploys ? `; ${deploys}` : ''}`;
}

/** `running: test, 0m 42s`: what a build is doing now, for the progress line. Pure. */
export function doingNow(build: Build, now: number): string {
  const stage = build.stages.find((s) => s.state === 'running')?.name;
  const deploying = build.deploys.filter((d) => d.state === 'running' || d.state === 'queued').map((d) => `${d.environment} ${d.state === 'queued' ? 'queued' : 'deploying'}`);
  const since = build.startedAt ?? build.createdAt;
  const what = build.state === 'running' && stage ? `running ${stage}` : build.state;
  return `build ${build.id} ${what}${deploying.length ? `; ${deploying.join(', ')}` : ''} (${formatDuration(now - since)})`;
}
