import type { Build, BuildState, DeployRecord, DeployState } from '../core/build.ts';
import { formatDuration } from '../core/duration.ts';
import type { Cell } from './text-table.ts';
import { textTable } from './text-table.ts';
import type { Colour, TerminalStyle } from './terminal-style.ts';
import { when } from './time-text.ts';

const STATE_COLOUR: Record<BuildState | DeployState, Colour> = {
  queued: 'dim', held: 'blue', running: 'yellow', passed: 'green', succeeded: 'green',
  failed: 'red', error: 'red', rolled_back: 'red', cancelled: 'dim', skipped: 'dim',
};

/** `slipway builds`: one build a row, newest first; the commit message is cut first on a terminal. Pure. */
export function buildsTable(builds: readonly Build[], style: TerminalStyle, now = Date.now()): string {
  const rows = builds.map((b): Cell[] => [
    b.id,
    b.service,
    b.event.kind === 'pull_request' ? `#${b.event.pullRequest?.number} ${b.event.branch}` : b.event.branch,
    b.event.sha.slice(0, 7),
    { text: stateText(b, now), colour: STATE_COLOUR[b.state] },
    b.event.author ?? '',
    when(b.startedAt ?? b.createdAt, style, now),
    deploysText(b.deploys),
    (b.event.message ?? '').split('\n', 1)[0] ?? '',
  ]);
  return textTable(['BUILD', 'SERVICE', 'BRANCH', 'COMMIT', 'STATE', 'AUTHOR', 'STARTED', 'DEPLOYS', 'MESSAGE'], rows, style);
}

/** `passed 1m 05s`, `running 12s`: the state and how long the build took (or has taken so far). Pure. */
export function stateText(b: Build, now: number): string {
  if (b.startedAt === undefined) return b.state;
  return `${b.state} ${formatDuration((b.finishedAt ?? now) - b.startedAt)}`;
}

/** `staging:succeeded production:held`: each environment's latest deploy. Pure. */
export function deploysText(deploys: readonly DeployRecord[]): string {
  const latest = new Map<string, DeployState>();
  for (const d of deploys) latest.set(d.environment, d.state);
  return [...latest].map(([env, state]) => `${env}:${state}`).join(' ');
}
