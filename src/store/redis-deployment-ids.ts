import type { Redis } from 'ioredis';
import type { DeploymentIds } from '../core/ports/deployment-ids.ts';

/** Longer than any deploy record is looked at again (a retried job, a late settle). */
const REMEMBER_SECONDS = 90 * 24 * 3600;

/** Deletes the key only while it still holds ARGV[1]. */
const FORGET = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 0`;

/**
 * DeploymentIds in Redis: `<prefix>:deployment:<deploy>` (the GitHub id) and
 * `<prefix>:deployment:latest:<owner/name>:<environment>` (the last deployment that succeeded there).
 */
export function createRedisDeploymentIds(redis: Redis, prefix: string): DeploymentIds {
  const idKey = (deploy: string) => `${prefix}:deployment:${deploy}`;
  const latestKey = (repository: string, environment: string) => `${prefix}:deployment:latest:${repository.toLowerCase()}:${environment}`;
  return {
    async get(deploy) {
      const id = await redis.get(idKey(deploy));
      return id === null ? undefined : Number(id);
    },
    async set(deploy, githubId) {
      await redis.set(idKey(deploy), String(githubId), 'EX', REMEMBER_SECONDS);
    },
    async replaceLatest(repository, environment, githubId) {
      const before = await redis.set(latestKey(repository, environment), String(githubId), 'GET');
      return before === null ? undefined : Number(before);
    },
    async latest(repository, environment) {
      const last = await redis.get(latestKey(repository, environment));
      return last === null ? undefined : Number(last);
    },
    async forgetLatest(repository, environment, githubId) {
      await redis.eval(FORGET, 1, latestKey(repository, environment), String(githubId));
    },
  };
}
