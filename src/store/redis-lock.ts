import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** A lease on a key: held by one holder at a time, given up on release or when the ttl runs out. */
export interface Lock {
  /** a token when the lease was taken, undefined when someone else holds it */
  acquire(name: string, ttlMs: number): Promise<string | undefined>;
  /** gives the lease back if `token` still holds it */
  release(name: string, token: string): Promise<void>;
  /** renews the lease for `ttlMs` more; false when `token` no longer holds it */
  extend(name: string, token: string, ttlMs: number): Promise<boolean>;
}

export function createRedisLock(redis: Redis, prefix: string): Lock {
  const key = (name: string) => `${prefix}:lock:${name}`;
  return {
    async acquire(name, ttlMs) {
      const token = randomUUID();
      return (await redis.set(key(name), token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
    },
    async release(name, token) {
      await redis.eval(RELEASE, 1, key(name), token);
    },
    async extend(name, token, ttlMs) {
      return (await redis.eval(EXTEND, 1, key(name), token, String(ttlMs))) === 1;
    },
  };
}
