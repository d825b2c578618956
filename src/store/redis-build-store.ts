import type { Redis } from 'ioredis';
import { isFinal, newBuild, type Build, type DeployRecord } from '../core/build.ts';
import { LAST_PUSHED_SCAN, type BuildStore, type ReleaseRecord, type Unsettled } from '../core/ports/build-store.ts';
import { releaseCause } from '../core/release-cause.ts';
import { createRedisBuildLog, readRedisBuildLog } from './redis-build-log.ts';
import { buildKeys } from './build-keys.ts';
import { redisScript } from './redis-script.ts';
import { readReleaseTargets, releaseTargetKeys } from './redis-release-targets.ts';

/**
 * A Lua function: writes a build record unless it exists, and its index entries either way (a retry
 * after an interruption completes them); truthy when it wrote the record, false when it existed.
 * The store's CREATE and the delivery ledger's RECORD both run it.
 */
export const CREATE_RECORD_LUA = `
local function create_record(record, index, service_index, unsettled, json, id, created_at)
  local created = redis.call('SET', record, json, 'NX')
  redis.call('ZADD', index, id, id)
  redis.call('ZADD', service_index, id, id)
  redis.call('ZADD', unsettled, 'NX', created_at, 'build:' .. id)
  return created
end
`;

/**
 * KEYS: the build record, the index, the service's index, unsettled. ARGV: the record's JSON, its
 * id, its creation time. 1 when it wrote the record.
 */
const CREATE = redisScript('build_create', 4, `${CREATE_RECORD_LUA}
return create_record(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3]) and 1 or 0`);

/** Releases kept per (service, environment), for `slipway releases` and `slipway rollback`. */
export const RELEASE_HISTORY = 20;

/**
 * Build records, logs and releases in Redis, under `<prefix>:`. Ids come from INCR, so they
 * increase. A build's own fields are one JSON string written by its build job; each environment's
 * deploy record is a field of a separate hash, so deploy jobs never overwrite the build or each other.
 */
export function createRedisBuildStore(redis: Redis, prefix: string, options: { logMaxLines?: number } = {}): BuildStore {
  const key = buildKeys(prefix);
  const createRecord = CREATE.on(redis);

  async function get(id: string): Promise<Build | undefined> {
    const [[, json], [, deploys]] = (await redis.multi().get(key.build(id)).hgetall(key.deploys(id)).exec()) as [
      [unknown, string | null],
      [unknown, Record<string, string>],
    ];
    if (!json) return undefined;
    const build = JSON.parse(json) as Build;
    // Records from before deploys had ids were keyed by environment; they read as that id.
    build.deploys = Object.entries(deploys).map(([field, d]) => ({ id: field, ...(JSON.parse(d) as Omit<DeployRecord, 'id'>) }) as DeployRecord);
    build.deploys.sort((a, b) => deployOrder(a) - deployOrder(b) || a.environment.localeCompare(b.environment));
    return build;
  }

  async function release(service: string, environment: string): Promise<ReleaseRecord | undefined> {
    const json = await redis.get(key.release(service, environment));
    return json ? parseRelease(json) : undefined;
  }

  async function getOrThrow(id: string): Promise<Build> {
    const build = await get(id);
    if (!build) throw new Error(`build ${id} does not exist`);
    return build;
  }

  return {
    async create(service, event, reservedId) {
      const id = reservedId ?? String(await redis.incr(key.seq));
      const build = newBuild(id, service, event, Date.now());
      // One script, not MULTI: the webhook's hot path, and ioredis's MULTI costs several times the CPU of an EVAL.
      const created = await createRecord(key.build(id), key.index, key.serviceIndex(service), key.unsettled, JSON.stringify(build), id, build.createdAt);
      // A reserved id is created once: a second call (a redelivery finishing the work) gets the record as it is.
      return created === 1 ? build : ((await get(id)) ?? build);
    },

    get,

    async list({ limit, before, service }) {
      const max = before ? `(${Number(before)}` : '+inf';
      const ids = await redis.zrevrangebyscore(service ? key.serviceIndex(service) : key.index, max, '-inf', 'LIMIT', 0, limit);
      const builds = await Promise.all(ids.map(get));
      return builds.filter((b): b is Build => b !== undefined);
    },

    async update(id, mutate) {
      const build = await getOrThrow(id);
      mutate(build);
      const { deploys: _derived, ...own } = build;
      const write = redis.multi().set(key.build(id), JSON.stringify({ ...own, deploys: [] }));
      if (isFinal(build.state)) write.zrem(key.unsettled, `build:${id}`);
      await write.exec();
      return build;
    },

    async addDeploy(id, fields) {
      const deploy: DeployRecord = { id: String(await redis.incr(key.deploySeq)), ...fields, state: 'queued' };
      await redis.multi().hset(key.deploys(id), deploy.id, JSON.stringify(deploy)).zadd(key.unsettled, Date.now(), `deploy:${id}:${deploy.id}`).exec();
      return { build: await getOrThrow(id), deploy };
    },

    async setDeploy(id, deploy) {
      const write = redis.multi().hset(key.deploys(id), deploy.id, JSON.stringify(deploy));
      if (isFinal(deploy.state)) write.zrem(key.unsettled, `deploy:${id}:${deploy.id}`);
      await write.exec();
      return getOrThrow(id);
    },

    async unsettled(olderThan, limit) {
      const members = await redis.zrangebyscore(key.unsettled, '-inf', olderThan, 'LIMIT', 0, limit);
      const found: Unsettled[] = [];
      for (const member of members) {
        const [kind, buildId = '', deployId] = member.split(':');
        const build = await get(buildId);
        const deploy = kind === 'deploy' ? build?.deploys.find((d) => d.id === deployId) : undefined;
        const open = kind === 'build' ? build && !isFinal(build.state) : deploy && !isFinal(deploy.state);
        // Settled (or deleted) since: the entry is stale, drop it.
        if (!open || !build) await redis.zrem(key.unsettled, member);
        else found.push(deploy ? { build, deploy } : { build });
      }
      return found;
    },

    async lastPushed(service) {
      // Two round trips: the newest ids, then their records (deploys are no part of the answer).
      const ids = await redis.zrevrange(key.serviceIndex(service), 0, LAST_PUSHED_SCAN - 1);
      if (ids.length === 0) return undefined;
      for (const json of await redis.mget(ids.map(key.build))) {
        const image = json ? (JSON.parse(json) as Build).image : undefined;
        if (image?.digest) return { repository: image.repository, tag: image.tag, digest: image.digest };
      }
      return undefined;
    },

    log: (id) => createRedisBuildLog(redis, key.log(id), options.logMaxLines),

    async readLog(id, fromLine = 0) {
      return readRedisBuildLog(redis, key.log(id), fromLine);
    },

    release,

    async recordRelease(release) {
      const json = JSON.stringify(release);
      const history = key.history(release.service, release.environment);
      const targets = releaseTargetKeys(prefix);
      await redis.multi().set(key.release(release.service, release.environment), json).lpush(history, json).ltrim(history, 0, RELEASE_HISTORY - 1).sadd(targets.targets, targets.member(release)).exec();
    },

    async releases(service, environment, limit) {
      const history = await redis.lrange(key.history(service, environment), 0, Math.min(limit, RELEASE_HISTORY) - 1);
      if (history.length > 0) return history.map(parseRelease);
      // Releases recorded before the history existed: the current one is all there is.
      const current = await release(service, environment);
      return current ? [current] : [];
    },

    releaseTargets: () => readReleaseTargets(redis, prefix),
  };
}

/** A stored release; one recorded before releases kept their cause gets it from its flags. */
function parseRelease(json: string): ReleaseRecord {
  const release = JSON.parse(json) as Omit<ReleaseRecord, 'cause'> & { cause?: ReleaseRecord['cause'] };
  return { ...release, cause: release.cause ?? releaseCause(release) };
}

/** Deploys in the order they were asked for: numeric ids; a legacy record (keyed by environment) first. */
function deployOrder(d: DeployRecord): number {
  const n = Number(d.id);
  return Number.isInteger(n) ? n : -1;
}
