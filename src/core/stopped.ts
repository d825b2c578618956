import { SlipwayError } from './errors.ts';

/**
 * The error work stopped by `signal` rejects with: the signal's reason when it is a SlipwayError
 * (BUILD_TIMED_OUT from the build timeout, or whatever code the one who stopped it chose), else
 * ABORTED naming `what` was stopped. Pure.
 */
export function stoppedError(signal: AbortSignal, what: string): SlipwayError {
  const reason: unknown = signal.reason;
  if (reason instanceof SlipwayError) return reason;
  return new SlipwayError('ABORTED', `${what} was stopped`, { cause: reason });
}

/** Throws stoppedError when `signal` is already aborted; for checks between steps. */
export function throwIfStopped(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw stoppedError(signal, what);
}
