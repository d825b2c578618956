import type { Redis } from 'ioredis';
import type { HeldDeploy, HeldDeploys } from '../core/ports/held-deploys.ts';

/**
 * KEYS: the target's slot. ARGV: the deploy's JSON, its build id. Puts it there unless the deploy
 * waiting is of a higher build id; {1, the one replaced} or {0, the newer one left waiting}.
 */
const HOLD = `
local waiting = redis.call('GET', KEYS[1])
if waiting then
  local ok, w = pcall(cjson.decode, waiting)
  if ok and type(w) == 'table' and tonumber(w.buildId) and tonumber(w.buildId) > tonumber(ARGV[2]) then return {0, waiting} end
end
redis.call('SET', KEYS[1], ARGV[1])
return {1, waiting}`;

/** HeldDeploys in Redis: one key per target, `<prefix>:held:<service>:<environment>`, swapped by a script (newer build ids win) and taken with GETDEL. */
export function createRedisHeldDeploys(redis: Redis, prefix: string): HeldDeploys {
  const key = (service: string, environment: string) => `${prefix}:held:${service}:${environment}`;
  return {
    async hold(service, environment, deploy) {
      const [put, other] = (await redis.eval(HOLD, 1, key(service, environment), JSON.stringify(deploy), deploy.buildId)) as [number, string | null];
      const found = parse(other);
      if (put === 0 && found) return { held: false, newer: found };
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
