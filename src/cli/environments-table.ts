import { describeCause } from '../core/release-cause.ts';
import type { EnvironmentStatus } from '../pipeline/environments-overview.ts';
import type { Cell } from './text-table.ts';
import { textTable } from './text-table.ts';
import type { TerminalStyle } from './terminal-style.ts';
import { when } from './time-text.ts';

/**
 * `slipway environments`: a row per service × environment: what runs there (build, commit,
 * branch, digest, since when, how it came) and what waits there for approval. Pure.
 */
export function environmentsTable(environments: readonly EnvironmentStatus[], style: TerminalStyle, now = Date.now()): string {
  const rows = environments.map((e): Cell[] => {
    const r = e.running;
    const w = e.waiting;
    const waiting = w ? `build ${w.buildId} (${w.sha.slice(0, 7)}, ${w.branch}) since ${when(w.since, style, now)}` : '';
    return [
      e.service,
      e.defined ? e.environment : `${e.environment} (no pipeline entry)`,
      r ? r.buildId : { text: 'nothing released', colour: 'dim' },
      r?.sha.slice(0, 7) ?? '',
      r?.branch ?? '',
      shortDigest(r?.digest),
      when(r?.since, style, now),
      r ? describeCause(r) : '',
      w ? { text: waiting, colour: 'blue' } : '',
    ];
  });
  return textTable(['SERVICE', 'ENVIRONMENT', 'BUILD', 'COMMIT', 'BRANCH', 'DIGEST', 'SINCE', 'HOW', 'WAITING FOR APPROVAL'], rows, style);
}

/** `sha256:0123456789ab`: enough of a digest to tell images apart; the JSON has it whole. Pure. */
export function shortDigest(digest: string | undefined): string {
  return digest ? digest.slice(0, 'sha256:'.length + 12) : '';
}
