import { SlipwayError } from '../core/errors.ts';
import { stoppedError } from '../core/stopped.ts';

/** How long work may take to wind down once stopped before the build is settled without it. */
const STOP_GRACE_MS = 30_000;

export interface TimeLimit {
  /** aborts with BUILD_TIMED_OUT when the time is up, or with `outer`'s reason when that aborts first */
  readonly signal: AbortSignal;
  /**
   * Runs `work` (which should stop on `signal`); settles with the stop error at most `graceMs`
   * after the signal aborts even if `work` ignores it, so a build always ends.
   */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** stops the clock; call once the work is over */
  clear(): void;
}

/**
 * A build's time limit (SLIPWAY_BUILD_TIMEOUT), combined with an optional outer signal (a cancel)
 * so one signal reaches every port. The timeout's reason reads `Timed out after 30m
 * (SLIPWAY_BUILD_TIMEOUT)`, which becomes the build's detail and its commit status.
 */
export function timeLimit(ms: number, outer?: AbortSignal, graceMs = STOP_GRACE_MS): TimeLimit {
  const clock = new AbortController();
  const timer = setTimeout(() => clock.abort(timedOut(ms)), ms);
  const signal = outer ? AbortSignal.any([clock.signal, outer]) : clock.signal;
  let graceTimer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const overdue = new Promise<never>((_, reject) => {
    onAbort = () => {
      graceTimer = setTimeout(() => reject(stoppedError(signal, 'the build')), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  overdue.catch(() => undefined); // only observed through run()
  return {
    signal,
    run: (work) => {
      const running = work();
      running.catch(() => undefined); // settled without it when overdue
      return Promise.race([running, overdue]);
    },
    clear: () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      // The outer signal outlives the build (a worker's stop): aborted later, it must not start a
      // grace timer for work that is over (that kept a stopped worker alive 30 s).
      if (onAbort) signal.removeEventListener('abort', onAbort);
    },
  };
}

/** The stop error of a build that ran out of time: `Timed out after 30m (SLIPWAY_BUILD_TIMEOUT)`. */
export function timedOut(ms: number): SlipwayError {
  return new SlipwayError('BUILD_TIMED_OUT', `Timed out after ${duration(ms)} (SLIPWAY_BUILD_TIMEOUT)`);
}

/** `30m`, `1h30m`, `4s`, `2.5s`: the shortest exact reading. */
function duration(ms: number): string {
  const s = ms / 1000;
  if (!Number.isInteger(s) || s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', rest ? `${rest}s` : ''].join('');
}
