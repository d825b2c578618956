/**
 * How long something took, as text: the one place durations are written (CLI tables and outcome
 * lines, Slack messages, deploy log lines and details). Pure.
 */

/** `42s`, `1m 05s`: a build's or deploy's duration for people (CLI, Slack). */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** `800ms`, `1.5s`, `30s`: short durations for log lines and details, to a tenth of a second. */
export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}
