import type { Redis } from 'ioredis';
import { newBuild, type Build } from '../core/build.ts';
import { lineOf } from '../core/line-of-work.ts';
import type { SourceEvent } from '../core/source-event.ts';
import { buildKeys } from './build-keys.ts';
import { CLAIM_LINE_LUA, linesKey } from './build-lines.ts';
import { CREATE_RECORD_LUA } from './redis-build-store.ts';
import { redisScript } from './redis-script.ts';

/** GitHub lets a delivery be redelivered for 3 days; remember ids a little longer. */
const TTL_SECONDS = 4 * 24 * 3600;

/** One build a delivery asks for, before it has an id. */
export interface BuildDraft {
  readonly service: string;
  readonly event: SourceEvent;
}

/** A build as the delivery recorded it, with the build that held its line of work before it (the one it may supersede). */
export interface RecordedBuild {
  readonly build: Build;
  readonly lineHeldBy?: string;
}

export interface RecordedDelivery {
  /** false the first time this delivery id is recorded; true for a redelivery, or a retry of one whose answer was lost */
  readonly seen: boolean;
  /** first time: the new records. Seen: the records as they are now (one retention removed is left out; none at all for a delivery an older Slipway confirmed) */
  readonly builds: readonly RecordedBuild[];
}

/**
 * Remembers webhook deliveries, so that recording one is idempotent: the first sight of a delivery
 * id gives each of its builds an id, writes its record (queued) and takes its line of work, in one
 * step; every later sight (a redelivery, or the server retrying after a Redis blip) gets the same
 * builds back, as they are now. BullMQ forgets a job id once the job is removed; this record
 * outlives that.
 */
export interface DeliveryLedger {
  record(deliveryId: string, drafts: readonly BuildDraft[], now: number): Promise<RecordedDelivery>;
}

/** Each record is written as the JSON of `newBuild('', …)` with its id spliced in by the script. */
const EMPTY_ID = '{"id":"",';

/**
 * KEYS: the delivery hash, the build id counter, the index, unsettled. ARGV: ttl, the key of the
 * record with id '' (`<prefix>:build:`), the creation time, then per build its service's index,
 * its service's lines, its line, its record's JSON with an empty id.
 * First sight: {'new', ids, lineHeldBy} (comma-separated, '' for none). Later: {'seen', ids,
 * lineHeldBy, each record's JSON or ''}; {'done'} for a delivery remembered in an older form (a
 * plain string, or a hash an older Slipway marked queued), whose work was done.
 */
const RECORD = redisScript('delivery_record', 4, `${CREATE_RECORD_LUA}${CLAIM_LINE_LUA}
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'string' then return {'done'} end
if kind == 'hash' then
  local d = redis.call('HMGET', KEYS[1], 'builds', 'held', 'state')
  if d[3] == 'queued' then return {'done'} end
  local seen = {'seen', d[1] or '', d[2] or ''}
  for id in string.gmatch(d[1] or '', '[^,]+') do seen[#seen + 1] = redis.call('GET', ARGV[2] .. id) or '' end
  return seen
end
local ids, held = {}, {}
for i = 4, #ARGV, 4 do
  local id = tostring(redis.call('INCR', KEYS[2]))
  create_record(ARGV[2] .. id, KEYS[3], ARGV[i], KEYS[4], '{"id":"' .. id .. string.sub(ARGV[i + 3], 8), id, ARGV[3])
  ids[#ids + 1] = id
  held[#held + 1] = claim_line(ARGV[i + 1], ARGV[i + 2], id) or ''
end
local joined, heldBy = table.concat(ids, ','), table.concat(held, ',')
redis.call('HSET', KEYS[1], 'builds', joined, 'held', heldBy, 'state', 'recorded')
redis.call('EXPIRE', KEYS[1], ARGV[1])
return {'new', joined, heldBy}`);

export function createDeliveryLedger(redis: Redis, prefix: string): DeliveryLedger {
  const keys = buildKeys(prefix);
  const record = RECORD.on(redis);
  return {
    async record(deliveryId, drafts, now) {
      const builds = drafts.map(({ service, event }) => newBuild('', service, event, now));
      const args = [String(TTL_SECONDS), keys.build(''), String(now)];
      for (const build of builds) {
        const json = JSON.stringify(build);
        if (!json.startsWith(EMPTY_ID)) throw new Error(`a new build record must start with ${EMPTY_ID}`);
        args.push(keys.serviceIndex(build.service), linesKey(prefix, build.service), lineOf(build), json);
      }
      const [kind, ids = '', held = '', ...records] = (await record(`${prefix}:delivery:${deliveryId}`, keys.seq, keys.index, keys.unsettled, ...args)) as string[];
      const lineHeldBy = held.split(',').map((id) => id || undefined);
      if (kind === 'new') return { seen: false, builds: ids.split(',').map((id, i) => ({ build: { ...builds[i]!, id }, lineHeldBy: lineHeldBy[i] })) };
      const kept = records.flatMap((json, i) => (json ? [{ build: JSON.parse(json) as Build, lineHeldBy: lineHeldBy[i] }] : []));
      return { seen: true, builds: kept };
    },
  };
}
