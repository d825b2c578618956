import type { Redis } from 'ioredis';
import { buildKeys } from './build-keys.ts';
import { logKeys } from './redis-build-log.ts';

/** States a record may be deleted in; any other (queued, running, waiting, one added later) keeps it. */
const FINAL_BUILD = ['passed', 'failed', 'error', 'cancelled', 'skipped'];
const FINAL_DEPLOY = ['succeeded', 'failed', 'rolled_back', 'skipped', 'error', 'cancelled'];
/** builds deleted per round trip */
const BATCH = 100;
/** set once builds from before the per-service index are in it */
const INDEXED_MARK = 'service-index:ready';

// KEYS: build, deploys, log keys…, announced, index, service index, then each environment's
// current release. ARGV: id, final build states, final deploy states (comma-separated), number
// of log keys. Deletes every key of the build unless it is still queued or running, has a deploy
// in progress, or is the release running somewhere: checked and deleted in one step, so a deploy
// or rollback starting meanwhile is never left without its build.
const DELETE = `
local id, logCount = ARGV[1], tonumber(ARGV[4])
local function set(csv) local s = {} for w in string.gmatch(csv, '[^,]+') do s[w] = true end return s end
local finalBuild, finalDeploy = set(ARGV[2]), set(ARGV[3])
local json = redis.call('GET', KEYS[1])
if json then
  local ok, build = pcall(cjson.decode, json)
  if not ok or not finalBuild[build.state] then return 0 end
end
for _, d in ipairs(redis.call('HVALS', KEYS[2])) do
  local ok, deploy = pcall(cjson.decode, d)
  if not ok or not finalDeploy[deploy.state] then return 0 end
end
local first = 3 + logCount + 3
for i = first, #KEYS do
  local r = redis.call('GET', KEYS[i])
  if r then
    local ok, release = pcall(cjson.decode, r)
    if ok and release.buildId == id then return 0 end
  end
end
redis.call('DEL', unpack(KEYS, 1, 3 + logCount))
redis.call('ZREM', KEYS[4 + logCount], id)
redis.call('ZREM', KEYS[5 + logCount], id)
return 1`;

export interface BuildRetention {
  /**
   * Deletes the service's builds older than its newest `keep` (record, deploys, log, marks, index
   * entries), except the ids in `protect` and any build still queued or running, with a deploy in
   * progress, or released in one of `environments`. Costs O(builds past `keep`), not a scan of
   * the service's history. Safe to run from several workers at once. Returns the ids deleted.
   */
  prune(service: string, options: { keep: number; protect: ReadonlySet<string>; environments: readonly string[] }): Promise<string[]>;
  /** the first 7 of the commit sha of every build the service still has: images of others may go */
  keptShas(service: string): Promise<Set<string>>;
  /** once per Redis: puts builds recorded before the per-service index existed into it; returns how many */
  indexExisting(): Promise<number>;
}

/** The build records' keys, as the store (redis-build-store.ts) writes them, and `announced`, which earlier Slipway versions wrote (kept 1 h). */
export function retentionKeys(prefix: string) {
  const keys = buildKeys(prefix);
  return {
    index: keys.index,
    serviceIndex: keys.serviceIndex,
    build: keys.build,
    deploys: keys.deploys,
    log: (id: string) => Object.values(logKeys(keys.log(id))),
    announced: (id: string) => `${keys.build(id)}:announced`,
    release: keys.release,
    indexed: `${prefix}:${INDEXED_MARK}`,
  };
}

/** SLIPWAY_KEEP_BUILDS over the build records in Redis, by way of the per-service index `create` keeps. */
export function createBuildRetention(redis: Redis, prefix: string): BuildRetention {
  const key = retentionKeys(prefix);

  async function deleteBuilds(service: string, ids: readonly string[], environments: readonly string[]): Promise<string[]> {
    const releases = environments.map((env) => key.release(service, env));
    const deleted: string[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const pipeline = redis.pipeline();
      for (const id of batch) {
        const logs = key.log(id);
        const keys = [key.build(id), key.deploys(id), ...logs, key.announced(id), key.index, key.serviceIndex(service), ...releases];
        pipeline.eval(DELETE, keys.length, ...keys, id, FINAL_BUILD.join(','), FINAL_DEPLOY.join(','), logs.length);
      }
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([err, done], n) => {
        if (err) throw err;
        if (done === 1) deleted.push(batch[n]!);
      });
    }
    return deleted;
  }

  return {
    async prune(service, { keep, protect, environments }) {
      const past = (await redis.zcard(key.serviceIndex(service))) - keep;
      if (past <= 0) return [];
      const oldest = await redis.zrange(key.serviceIndex(service), 0, String(past - 1));
      return deleteBuilds(service, oldest.filter((id) => !protect.has(id)), environments);
    },

    async keptShas(service) {
      const ids = await redis.zrange(key.serviceIndex(service), 0, '-1');
      const shas = new Set<string>();
      for (let i = 0; i < ids.length; i += 500) {
        const records = await redis.mget(ids.slice(i, i + 500).map(key.build));
        for (const json of records) {
          const sha = json ? (JSON.parse(json) as { event?: { sha?: unknown } }).event?.sha : undefined;
          if (typeof sha === 'string') shas.add(sha.slice(0, 7));
        }
      }
      return shas;
    },

    async indexExisting() {
      if (await redis.exists(key.indexed)) return 0;
      let indexed = 0;
      for (let start = 0; ; start += 500) {
        const ids = await redis.zrange(key.index, start, String(start + 499));
        if (ids.length === 0) break;
        const records = await redis.mget(ids.map(key.build));
        const pipeline = redis.pipeline();
        records.forEach((json, n) => {
          const service = json ? (JSON.parse(json) as { service?: unknown }).service : undefined;
          if (typeof service !== 'string') return;
          pipeline.zadd(key.serviceIndex(service), Number(ids[n]), ids[n]!);
          indexed++;
        });
        await pipeline.exec();
      }
      await redis.set(key.indexed, String(Date.now()));
      return indexed;
    },
  };
}
