import type { Redis } from 'ioredis';
import type { PreviewClosings } from '../core/ports/preview-closings.ts';
import { raiseKey } from './raise-key.ts';

/** Longer than a build of a closed pull request could still be waiting to deploy. */
const REMEMBER_SECONDS = 90 * 24 * 3600;


/** PreviewClosings in Redis: `<prefix>:preview-closed:<service>:<environment>` → epoch ms. */
export function createRedisPreviewClosings(redis: Redis, prefix: string): PreviewClosings {
  const key = (service: string, environment: string) => `${prefix}:preview-closed:${service}:${environment}`;
  const later = raiseKey(redis); // the latest close counts
  return {
    async close(service, environment, at) {
      await later(key(service, environment), at, REMEMBER_SECONDS);
    },
    async closedAt(service, environment) {
      const at = await redis.get(key(service, environment));
      return at === null ? undefined : Number(at);
    },
  };
}
