import type { Redis } from 'ioredis';
import type { HeldDeploy, HeldDeploys } from '../core/ports/held-deploys.ts';

/** HeldDeploys in Redis: one key per target, `<prefix>:held:<service>:<environment>`, swapped with SET … GET and GETDEL. */
export function createRedisHeldDeploys(redis: Redis, prefix: string): HeldDeploys {
  const key = (service: string, environment: string) => `${prefix}:held:${service}:${environment}`;
  return {
    async hold(service, environment, deploy) {
      return parse(await redis.set(key(service, environment), JSON.stringify(deploy), 'GET'));
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
