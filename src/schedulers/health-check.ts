import { setTimeout as sleep } from 'node:timers/promises';
import { seconds } from '../core/duration.ts';

/** One probe may take this long; a slower answer counts as none. */
const PROBE_TIMEOUT_MS = 2_000;
/** Even the last probe before the deadline gets this long, so it can tell "refused" from "slow". */
const MIN_PROBE_MS = 250;

/** How a wait for health ended: healthy after some time, or not, with the reason. */
export type HealthOutcome =
  | { readonly healthy: true; readonly afterMs: number }
  | { readonly healthy: false; readonly reason: string; readonly exited: boolean };

export interface HealthWait {
  readonly url: string;
  /** the path, for messages */
  readonly path: string;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  /** resolves with why the container is gone (it exited), or undefined while it runs */
  readonly exited: () => Promise<string | undefined>;
  /** aborts the wait (it rejects with the signal's reason) */
  readonly signal?: AbortSignal;
}

/**
 * Polls `GET url` every `intervalMs` until it answers 2xx, the deadline passes, or the container
 * exits (then it fails at once instead of waiting out the deadline), or `signal` aborts.
 */
export async function waitForHealth(wait: HealthWait): Promise<HealthOutcome> {
  const started = Date.now();
  const deadline = started + wait.deadlineMs;
  let last = 'no answer yet';
  for (;;) {
    wait.signal?.throwIfAborted();
    const exited = await wait.exited();
    if (exited !== undefined) return { healthy: false, exited: true, reason: `${exited} before health check ${wait.path} answered 2xx` };
    last = await probe(wait.url, Math.min(PROBE_TIMEOUT_MS, Math.max(MIN_PROBE_MS, deadline - Date.now())));
    if (last === 'ok') return { healthy: true, afterMs: Date.now() - started };
    if (Date.now() + wait.intervalMs > deadline) break;
    await sleep(wait.intervalMs, undefined, { signal: wait.signal });
  }
  return { healthy: false, exited: false, reason: `health check ${wait.path} did not answer 2xx within ${seconds(wait.deadlineMs)}: ${last}` };
}

/** One GET: 'ok' for a 2xx, otherwise what went wrong in a few words. */
async function probe(url: string, timeoutMs: number): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { connection: 'close' }, redirect: 'manual' });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? 'ok' : `HTTP ${res.status}`;
  } catch (err) {
    return fetchFailure(err, timeoutMs);
  }
}

function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${seconds(timeoutMs)}`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  return e.cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** `40ms`, `1.2s`, `30s` (src/core/duration.ts; re-exported for the schedulers that import it from here). */
export { seconds };
