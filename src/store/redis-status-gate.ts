import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { StatusGate } from '../core/ports/status-gate.ts';
import { FINAL_STEP } from '../core/ports/status-reporter.ts';
import { createRedisLock } from './redis-lock.ts';

/**
 * Longer than one status request may take (the reporter's timeout is 15 s). A worker killed while
 * posting keeps its subject's lease this long, so the next post for it (a settled job's final
 * status) may wait up to this long after the kill.
 */
export const STATUS_LEASE_MS = 20_000;
const POLL_MS = 50;
/** How long a subject's last step is remembered: longer than any build or deploy lasts. */
const REMEMBER_SECONDS = 7 * 24 * 3600;

/**
 * The StatusGate in Redis: a short lease per subject while one post is in flight, and the highest
 * step sent so far (`<prefix>:status:<subject>`), written once GitHub took the post.
 */
export function createRedisStatusGate(redis: Redis, prefix: string): StatusGate {
  const lock = createRedisLock(redis, `${prefix}:status`);
  const stepKey = (subject: string) => `${prefix}:status:${subject}`;
  return {
    async post({ subject, step }, send) {
      const token = await acquire(() => lock.acquire(subject, STATUS_LEASE_MS));
      try {
        const sent = Number((await redis.get(stepKey(subject))) ?? -1);
        if (sent > step || (sent === FINAL_STEP && step === FINAL_STEP)) return false;
        await send();
        await redis.set(stepKey(subject), String(Math.max(sent, step)), 'EX', REMEMBER_SECONDS);
        return true;
      } finally {
        await lock.release(subject, token);
      }
    },
  };
}

/** Waits for the lease; it lapses after STATUS_LEASE_MS even if its holder died, so this ends. */
async function acquire(take: () => Promise<string | undefined>): Promise<string> {
  for (;;) {
    const token = await take();
    if (token) return token;
    await sleep(POLL_MS);
  }
}
