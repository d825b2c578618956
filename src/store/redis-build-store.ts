import type { Redis } from 'ioredis';
import { newBuild, type Build, type DeployRecord } from '../core/build.ts';
import type { BuildStore, ReleaseRecord } from '../core/ports/build-store.ts';
import { createRedisBuildLog, readRedisBuildLog } from './redis-build-log.ts';

/** Releases kept per (service, environment), for `slipway releases` and `slipway rollback`. */
export const RELEASE_HISTORY = 20;

/**
 * Build records, logs and releases in Redis, under `<prefix>:`. Ids come from INCR, so they
 * increase. A build's own fields are one JSON string written by its build job; each environment's
 * deploy record is a field of a separate hash, so deploy jobs never overwrite the build or each other.
 */
export function createRedisBuildStore(redis: Redis, prefix: string, options: { logMaxLines?: number } = {}): BuildStore {
  const key = {
    seq: `${prefix}:build:seq`,
    index: `${prefix}:builds`,
    build: (id: string) => `${prefix}:build:${id}`,
    deploys: (id: string) => `${prefix}:build:${id}:deploys`,
    log: (id: string) => `${prefix}:build:${id}:log`,
    release: (service: string, env: string) => `${prefix}:release:${service}:${env}`,
    history: (service: string, env: string) => `${prefix}:releases:${service}:${env}`,
  };

  async function get(id: string): Promise<Build | undefined> {
    const [[, json], [, deploys]] = (await redis.multi().get(key.build(id)).hgetall(key.deploys(id)).exec()) as [
      [unknown, string | null],
      [unknown, Record<string, string>],
    ];
    if (!json) return undefined;
    const build = JSON.parse(json) as Build;
    build.deploys = Object.values(deploys).map((d) => JSON.parse(d) as DeployRecord);
    build.deploys.sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity) || a.environment.localeCompare(b.environment));
    return build;
  }

  async function release(service: string, environment: string): Promise<ReleaseRecord | undefined> {
    const json = await redis.get(key.release(service, environment));
    return json ? (JSON.parse(json) as ReleaseRecord) : undefined;
  }

  async function getOrThrow(id: string): Promise<Build> {
    const build = await get(id);
    if (!build) throw new Error(`build ${id} does not exist`);
    return build;
  }

  return {
    async create(service, event) {
      const id = String(await redis.incr(key.seq));
      const build = newBuild(id, service, event, Date.now());
      await redis.multi().set(key.build(id), JSON.stringify(build)).zadd(key.index, Number(id), id).exec();
      return build;
    },

    get,

    async list({ limit, before }) {
      const max = before ? `(${Number(before)}` : '+inf';
      const ids = await redis.zrevrangebyscore(key.index, max, '-inf', 'LIMIT', 0, limit);
      const builds = await Promise.all(ids.map(get));
      return builds.filter((b): b is Build => b !== undefined);
    },

    async update(id, mutate) {
      const build = await getOrThrow(id);
      mutate(build);
      const { deploys: _derived, ...own } = build;
      await redis.set(key.build(id), JSON.stringify({ ...own, deploys: [] }));
      return build;
    },

    async setDeploy(id, deploy) {
      await redis.hset(key.deploys(id), deploy.environment, JSON.stringify(deploy));
      return getOrThrow(id);
    },

    log: (id) => createRedisBuildLog(redis, key.log(id), options.logMaxLines),

    async readLog(id, fromLine = 0) {
      return readRedisBuildLog(redis, key.log(id), fromLine);
    },

    release,

    async recordRelease(release) {
      const json = JSON.stringify(release);
      const history = key.history(release.service, release.environment);
      await redis.multi().set(key.release(release.service, release.environment), json).lpush(history, json).ltrim(history, 0, RELEASE_HISTORY - 1).exec();
    },

    async releases(service, environment, limit) {
      const history = await redis.lrange(key.history(service, environment), 0, Math.min(limit, RELEASE_HISTORY) - 1);
      if (history.length > 0) return history.map((json) => JSON.parse(json) as ReleaseRecord);
      // Releases recorded before the history existed: the current one is all there is.
      const current = await release(service, environment);
      return current ? [current] : [];
    },
  };
}
