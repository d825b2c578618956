import type { Lock } from './redis-lock.ts';

/** How a kept lease ended against its holder's will: another holder has it, or it ran out unrenewed. */
export type LeaseLoss = 'taken' | 'lapsed';

/** A lease being renewed by its holder (see keepLease). */
export interface KeptLease {
  /** aborts, with the reason `onLost` gave, once the lease is gone; renewal stops then */
  readonly signal: AbortSignal;
  /** stops renewing; call it before releasing the lease. Safe to call twice. */
  stop(): void;
}

export interface KeepLeaseOptions {
  /** the abort reason for the signal once the lease is gone */
  onLost(loss: LeaseLoss): unknown;
  /** a renewal Redis did not answer; the lease still holds until its ttl runs out */
  onRenewFailed?(err: unknown): void;
}

/**
 * Keeps a lease taken with `lock.acquire(name, leaseMs)` (whose token is `token`) for as long as
 * its holder is alive: renews it every third of its life, only while `token` still holds it
 * (compare-and-extend in Redis). A holder that dies stops renewing, so its lease lapses within
 * `leaseMs`. The lease counts as lapsed `leaseMs` after the last renewal that held was sent (Redis
 * unreachable that long), since another holder may take it from then on. The timers never keep the
 * process alive: a stopping process exits however long a renewed piece of work would still run.
 */
export function keepLease(lock: Lock, name: string, token: string, leaseMs: number, options: KeepLeaseOptions): KeptLease {
  const lost = new AbortController();
  let stopped = false;
  let renewing = false;
  let expiry = lapseIn(leaseMs);
  const renew = setInterval(() => {
    if (renewing) return;
    renewing = true;
    const sentAt = Date.now();
    lock.extend(name, token, leaseMs).then(
      (held) => {
        if (stopped) return;
        if (!held) return lose('taken');
        clearTimeout(expiry);
        expiry = lapseIn(leaseMs - (Date.now() - sentAt));
      },
      (err: unknown) => void (stopped || options.onRenewFailed?.(err)),
    ).finally(() => (renewing = false));
  }, leaseMs / 3).unref();

  function lapseIn(ms: number): NodeJS.Timeout {
    return setTimeout(() => lose('lapsed'), Math.max(0, ms)).unref();
  }
  function stop() {
    stopped = true;
    clearInterval(renew);
    clearTimeout(expiry);
  }
  function lose(loss: LeaseLoss) {
    if (stopped) return;
    stop();
    lost.abort(options.onLost(loss));
  }
  return { signal: lost.signal, stop };
}
