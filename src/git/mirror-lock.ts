import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { SlipwayError } from '../core/errors.ts';
import { stoppedError, throwIfStopped } from '../core/stopped.ts';

/** A holder that stops refreshing its lock (killed, frozen) loses it after this long. */
const STALE_MS = 20_000;
const POLL_MAX_MS = 1_000;

/** Calls waiting or working per mirror in this process, so only one of them asks for the lock file. */
const queues = new Map<string, Promise<void>>();
/** How many of those calls there are per mirror (see `mirrorLockCalls`). */
const counts = new Map<string, number>();

/** Calls of `withMirrorLock` for the mirror at `path` in this process, waiting or working (0 when none). */
export function mirrorLockCalls(path: string): number {
  return counts.get(path) ?? 0;
}

/**
 * Runs `work` while holding the mirror at `path` alone: against other calls in this process (a
 * queue) and against every other process on this host sharing the data folder (a lock directory
 * `<path>.lock`, made with proper-lockfile: mkdir is atomic, the holder refreshes its mtime while
 * it works, and a lock whose holder died goes stale and is taken over after STALE_MS).
 *
 * `work` gets a signal that aborts when `signal` does or when the lock was lost (a frozen holder
 * whose lock went stale and was taken over): it must stop touching the mirror then. Waiting for
 * the lock stops when `signal` aborts, with its stop error.
 */
export async function withMirrorLock<T>(path: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  let leave!: () => void;
  const turn = new Promise<void>((resolve) => (leave = resolve));
  const tail = previous.then(() => turn);
  queues.set(path, tail);
  counts.set(path, mirrorLockCalls(path) + 1);
  try {
    await untilStopped(previous, signal);
    const lost = new AbortController();
    const release = await lockDirectory(path, lost, signal);
    try {
      return await work(signal ? AbortSignal.any([signal, lost.signal]) : lost.signal);
    } finally {
      await release().catch(() => undefined); // already released when it was lost
    }
  } finally {
    leave();
    if (queues.get(path) === tail) queues.delete(path);
    const left = mirrorLockCalls(path) - 1;
    if (left > 0) counts.set(path, left);
    else counts.delete(path);
  }
}

async function lockDirectory(path: string, lost: AbortController, signal: AbortSignal | undefined): Promise<() => Promise<void>> {
  mkdirSync(dirname(path), { recursive: true });
  const onCompromised = (err: Error) =>
    lost.abort(new SlipwayError('SOURCE_UNAVAILABLE', `lost the lock on mirror ${path}; another process took it over: ${err.message}`, { cause: err }));
  for (let wait = 50; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    throwIfStopped(signal, `waiting for the lock on mirror ${path}`);
    try {
      return await lockfile.lock(path, { realpath: false, lockfilePath: `${path}.lock`, stale: STALE_MS, retries: 0, onCompromised });
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ELOCKED') {
        throw new SlipwayError('SOURCE_UNAVAILABLE', `could not lock mirror ${path}: ${(err as Error).message}`, { cause: err });
      }
    }
    await sleep(wait, undefined, { signal }).catch(() => undefined); // an abort is thrown at the loop's top
  }
}

/** Waits for the calls before this one, or throws the stop error as soon as `signal` aborts. */
function untilStopped(previous: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return previous;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(stoppedError(signal, `waiting for the mirror`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void previous.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
