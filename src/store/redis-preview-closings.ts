import type { Redis } from 'ioredis';
import type { PreviewClosings } from '../core/ports/preview-closings.ts';

/** Longer than a build of a closed pull request could still be waiting to deploy. */
const REMEMBER_SECONDS = 90 * 24 * 3600;

/** Sets the key to ARGV[1] unless it holds a later time already. */
const LATER = `
local held = redis.call('GET', KEYS[1])
if held and tonumber(held) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`;

/** PreviewClosings in Redis: `<prefix>:preview-closed:<service>:<environment>` → epoch ms. */
export function createRedisPreviewClosings(redis: Redis, prefix: string): PreviewClosings {
  const key = (service: string, environment: string) => `${prefix}:preview-closed:${service}:${environment}`;
  return {
    async close(service, environment, at) {
      await redis.eval(LATER, 1, key(service, environment), String(at), String(REMEMBER_SECONDS));
    },
    async closedAt(service, environment) {
      const at = await redis.get(key(service, environment));
      return at === null ? undefined : Number(at);
    },
  };
}
