import type { Redis } from 'ioredis';
import type { CancelClaim, CancelRequests } from '../core/ports/cancel-requests.ts';

/** Kept as long as a status step (7 days): far longer than any build may run. */
const TTL_S = 7 * 24 * 3600;
const ASKED = 'cancel:';
const SEALED = 'sealed';

/**
 * KEYS: the build's cancel key, the channel. ARGV: `cancel:<reason>`, ttl, build id. Records the
 * request unless the key holds one already or the build sealed its outcome, and tells the workers;
 * returns what the key held before (nil when this call recorded it).
 */
const REQUEST = `
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('PUBLISH', KEYS[2], ARGV[3])
return false`;

/** The channel a cancel request is announced on (message: the build id). */
export function cancelChannel(prefix: string): string {
  return `${prefix}:cancels`;
}

/**
 * Cancel requests in Redis: `<prefix>:build:<id>:cancel` holds `cancel:<reason>` or `sealed`,
 * written once (a script, so a request and the build job's seal cannot both win), and each request
 * is published on `<prefix>:cancels` for the worker running the build (see cancel-watch.ts).
 */
export function createRedisCancelRequests(redis: Redis, prefix: string): CancelRequests {
  const key = (id: string) => `${prefix}:build:${id}:cancel`;
  return {
    async request(id, reason): Promise<CancelClaim> {
      const held = (await redis.eval(REQUEST, 2, key(id), cancelChannel(prefix), `${ASKED}${reason}`, TTL_S, id)) as string | null;
      if (held === null) return { kind: 'requested' };
      return held === SEALED ? { kind: 'sealed' } : { kind: 'already', reason: held.slice(ASKED.length) };
    },
    async pending(id) {
      return reasonIn(await redis.get(key(id)));
    },
    async seal(id) {
      if ((await redis.set(key(id), SEALED, 'EX', TTL_S, 'NX')) === 'OK') return undefined;
      return reasonIn(await redis.get(key(id)));
    },
  };
}

function reasonIn(held: string | null): string | undefined {
  return held?.startsWith(ASKED) ? held.slice(ASKED.length) : undefined;
}
