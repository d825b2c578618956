import type { Redis } from 'ioredis';
import { isFinal, type Build } from '../core/build.ts';

/** How many of a service's builds before a new one are looked at for ones it supersedes. */
export const SUPERSEDE_SCAN = 50;

/**
 * The builds of `service` older than build `beforeId` that have no outcome yet, newest first,
 * among its `SUPERSEDE_SCAN` builds before it: two reads (the service's index, then the records,
 * without their deploys), cheap enough to run after every webhook. Keys as the build store's.
 */
export function createOpenBuilds(redis: Redis, prefix: string): (service: string, beforeId: string) => Promise<Build[]> {
  return async (service, beforeId) => {
    const ids = await redis.zrevrangebyscore(`${prefix}:service:${service}:builds`, `(${Number(beforeId)}`, '-inf', 'LIMIT', 0, SUPERSEDE_SCAN);
    if (ids.length === 0) return [];
    const records = await redis.mget(ids.map((id) => `${prefix}:build:${id}`));
    return records.flatMap((json) => (json ? [JSON.parse(json) as Build] : [])).filter((b) => !isFinal(b.state));
  };
}
