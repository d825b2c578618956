import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { SlipwayError } from '../core/errors.ts';
import type { StatusGate } from '../core/ports/status-gate.ts';
import { FINAL_STEP } from '../core/ports/status-reporter.ts';
import { keepLease } from './kept-lease.ts';
import { raiseKey } from './raise-key.ts';
import { createRedisLock } from './redis-lock.ts';

/**
 * How long a subject's lease lasts unless its holder renews it (it does, every third of that, for
 * as long as its post runs, however slowly GitHub answers). A worker killed while posting stops
 * renewing, so the next post for the subject (a settled job's final status) waits at most this long.
 */
export const STATUS_LEASE_MS = 5_000;
const POLL_MS = 50;
/** How long a subject's last step is remembered: longer than any build or deploy lasts. */
const REMEMBER_SECONDS = 7 * 24 * 3600;

/**
 * The StatusGate in Redis: a lease per subject while one post is in flight
 * (`<prefix>:status:lock:<subject>`, renewed by its holder), and the highest step sent so far
 * (`<prefix>:status:<subject>`), written once GitHub took the post.
 */
export function createRedisStatusGate(redis: Redis, prefix: string): StatusGate {
  const lock = createRedisLock(redis, `${prefix}:status`);
  const raise = raiseKey(redis);
  const stepKey = (subject: string) => `${prefix}:status:${subject}`;
  return {
    async post({ subject, step }, send) {
      const token = await acquire(() => lock.acquire(subject, STATUS_LEASE_MS));
      const kept = keepLease(lock, subject, token, STATUS_LEASE_MS, {
        onLost: (loss) => new SlipwayError('STATUS_LEASE_LOST', `the status lease of ${subject} was ${loss === 'taken' ? 'taken by another poster' : 'not renewed in time'}`),
      });
      try {
        const sent = Number((await redis.get(stepKey(subject))) ?? -1);
        if (sent > step || (sent === FINAL_STEP && step === FINAL_STEP)) return false;
        await send(kept.signal);
        // raised, never lowered: a post that lost its lease must not undo a later one
        await raise(stepKey(subject), step, REMEMBER_SECONDS);
        return true;
      } finally {
        kept.stop();
        await lock.release(subject, token);
      }
    },
  };
}

/** Waits for the lease; it lapses within STATUS_LEASE_MS once its holder died, so this ends. */
async function acquire(take: () => Promise<string | undefined>): Promise<string> {
  for (;;) {
    const token = await take();
    if (token) return token;
    await sleep(POLL_MS);
  }
}
