import type { Redis } from 'ioredis';
import type { PreviewPorts } from '../core/ports/preview-ports.ts';

/** KEYS: port → holder, holder → port. ARGV: holder, first, last. The holder's port in range, else the lowest free one. */
const TAKE = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
local first, last = tonumber(ARGV[2]), tonumber(ARGV[3])
if held then
  local port = tonumber(held)
  if port >= first and port <= last then return port end
  redis.call('HDEL', KEYS[1], held)
  redis.call('HDEL', KEYS[2], ARGV[1])
end
for port = first, last do
  if redis.call('HSETNX', KEYS[1], tostring(port), ARGV[1]) == 1 then
    redis.call('HSET', KEYS[2], ARGV[1], tostring(port))
    return port
  end
end
return false`;

/** KEYS: port → holder, holder → port. ARGV: holder. */
const FREE = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
if not held then return 0 end
if redis.call('HGET', KEYS[1], held) == ARGV[1] then redis.call('HDEL', KEYS[1], held) end
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

/**
 * PreviewPorts in Redis: `<prefix>:preview-ports` (hash port → holder) and
 * `<prefix>:preview-port-of` (hash holder → port), changed together by one script each.
 */
export function createRedisPreviewPorts(redis: Redis, prefix: string): PreviewPorts {
  const keys = [`${prefix}:preview-ports`, `${prefix}:preview-port-of`] as const;
  return {
    async take(holder, range) {
      const port = (await redis.eval(TAKE, 2, ...keys, holder, String(range.first), String(range.last))) as number | null;
      return port ?? undefined;
    },
    async free(holder) {
      await redis.eval(FREE, 2, ...keys, holder);
    },
    async held(holder) {
      const port = await redis.hget(keys[1], holder);
      return port === null ? undefined : Number(port);
    },
  };
}
