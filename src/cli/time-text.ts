import type { TerminalStyle } from './terminal-style.ts';

/** `2026-12-07 14:19:25Z`: a time a script can read (piped output). Pure. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** `42s ago`, `5m ago`, `3h ago`, `2d ago`: how long ago, for a person at a terminal. Pure. */
export function age(epochMs: number, now: number): string {
  const s = Math.max(0, Math.round((now - epochMs) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** An age on a terminal, an ISO time when piped. Pure. */
export function when(epochMs: number | undefined, style: TerminalStyle, now: number): string {
  if (epochMs === undefined) return '';
  return style.tty ? age(epochMs, now) : isoTime(epochMs);
}
