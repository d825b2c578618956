import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Looks at `check` (sync or async) every `everyMs` until it holds; throws `timed out waiting for
 * <what> (<timeoutMs> ms)` once `timeoutMs` has passed. For states a test cannot be told about by
 * an event: bounded, never a fixed sleep standing in for the wait.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${timeoutMs} ms)`);
    await sleep(everyMs);
  }
}
