import type { Redis } from 'ioredis';
import type { HeldDeploy, HeldDeploys } from '../core/ports/held-deploys.ts';

/**
 * KEYS: the target's slot, its mark (the newest deploy that ever waited there). ARGV: the deploy's
 * JSON, its build id. Puts it in the slot and the mark unless a higher build id waits or waited
 * there (a slot written before marks existed counts too): {1, the one replaced} or {0, the newer
 * one, the one waiting}.
 */
const HOLD = `
local function id(text)
  if not text then return nil end
  local ok, v = pcall(cjson.decode, text)
  if ok and type(v) == 'table' then return tonumber(v.buildId) end
end
local waiting = redis.call('GET', KEYS[1])
local newest = redis.call('GET', KEYS[2])
if id(waiting) and (not id(newest) or id(waiting) > id(newest)) then newest = waiting end
local mine = tonumber(ARGV[2])
if mine and id(newest) and id(newest) > mine then return {0, newest, waiting} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
return {1, waiting}`;

/**
 * HeldDeploys in Redis: one slot per target, `<prefix>:held:<service>:<environment>`, taken with
 * GETDEL, and its mark, `<prefix>:held-newest:<service>:<environment>`, which outlives approvals.
 * A script swaps both, so a build older than any that waited there is refused on every worker.
 */
export function createRedisHeldDeploys(redis: Redis, prefix: string): HeldDeploys {
  const key = (service: string, environment: string) => `${prefix}:held:${service}:${environment}`;
  const mark = (service: string, environment: string) => `${prefix}:held-newest:${service}:${environment}`;
  return {
    async hold(service, environment, deploy) {
      const keys = [key(service, environment), mark(service, environment)];
      const [put, other, waiting] = (await redis.eval(HOLD, 2, ...keys, JSON.stringify(deploy), deploy.buildId)) as [number, string | null, string | null];
      const found = parse(other);
      if (put === 0 && found) return { held: false, newer: found, ...(parse(waiting)?.buildId === found.buildId ? {} : { approved: true as const }) };
      return { held: true, ...(found ? { replaced: found } : {}) };
    },
    async take(service, environment) {
      return parse(await redis.getdel(key(service, environment)));
    },
    async peek(service, environment) {
      return parse(await redis.get(key(service, environment)));
    },
  };
}

function parse(text: string | null): HeldDeploy | undefined {
  if (!text) return undefined;
  const v = JSON.parse(text) as Partial<HeldDeploy>;
  return typeof v.buildId === 'string' && typeof v.deployId === 'string' ? { buildId: v.buildId, deployId: v.deployId } : undefined;
}
