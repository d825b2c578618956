import type { Redis } from 'ioredis';
import { redisScript } from './redis-script.ts';

/** Sets KEYS[1] to the larger of what it holds and ARGV[1], for ARGV[2] seconds; returns what it holds then. */
const RAISE = redisScript('raise_key', 1, `
local held = redis.call('GET', KEYS[1])
local value = ARGV[1]
if held and tonumber(held) > tonumber(value) then value = held end
redis.call('SET', KEYS[1], value, 'EX', ARGV[2])
return value`);

/**
 * A number in Redis that only ever rises (a status step, a close time): a later write of a smaller
 * value, from a post that lost its lease or a redelivered webhook, never undoes a larger one.
 */
export function raiseKey(redis: Redis): (key: string, value: number, seconds: number) => Promise<void> {
  const raise = RAISE.on(redis);
  return async (key, value, seconds) => {
    await raise(key, String(value), String(seconds));
  };
}
