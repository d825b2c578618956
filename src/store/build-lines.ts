import type { Redis } from 'ioredis';
import { redisScript } from './redis-script.ts';

/**
 * Takes a line of work for a build and returns the build that held it before (the one it may
 * supersede), in one round trip: `<prefix>:lines:<service>` maps each line (`push:<branch>`,
 * `pr:<number>`) to its newest build id. A build older than the holder (a late delivery) takes
 * nothing and gets nothing back.
 */
const CLAIM = redisScript('line_claim', 1, `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and tonumber(held) >= tonumber(ARGV[2]) then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return held`);

export type ClaimLine = (service: string, line: string, buildId: string) => Promise<string | undefined>;

export function createBuildLines(redis: Redis, prefix: string): ClaimLine {
  const claim = CLAIM.on(redis);
  return async (service, line, buildId) => {
    const held = (await claim(`${prefix}:lines:${service}`, line, buildId)) as string | null;
    return held ?? undefined;
  };
}
