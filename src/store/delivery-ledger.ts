import type { Redis } from 'ioredis';
import { redisScript } from './redis-script.ts';

/** GitHub lets a delivery be redelivered for 3 days; remember ids a little longer. */
const TTL_SECONDS = 4 * 24 * 3600;

/**
 * Remembers webhook deliveries, so that queueing one is idempotent: the first sight of a delivery
 * id reserves one build id per pipeline it starts, atomically, and every later sight (a redelivery,
 * or the server retrying after a Redis blip) gets the same ids back. Whatever was done before an
 * interruption is then completed, never duplicated; once `confirm` ran, a redelivery is a no-op.
 * BullMQ forgets a job id once the job is removed; this record outlives that.
 */
export interface DeliveryLedger {
  /** the delivery's build ids (reserved now, or earlier), and whether its work was confirmed queued */
  begin(deliveryId: string, services: readonly string[]): Promise<{ buildIds: string[]; done: boolean }>;
  /** every build of the delivery is recorded and queued */
  confirm(deliveryId: string): Promise<void>;
}

/**
 * KEYS: the delivery hash, the build id counter. ARGV: ttl, then one service per build.
 * A delivery remembered in the older form (a plain string) counts as done.
 */
const BEGIN = redisScript('ledger_begin', 2, `
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'string' then return {'', 'queued'} end
if kind == 'hash' then return {redis.call('HGET', KEYS[1], 'builds'), redis.call('HGET', KEYS[1], 'state')} end
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = tostring(redis.call('INCR', KEYS[2])) end
local joined = table.concat(ids, ',')
redis.call('HSET', KEYS[1], 'builds', joined, 'state', 'pending')
redis.call('EXPIRE', KEYS[1], ARGV[1])
return {joined, 'pending'}`);

export function createDeliveryLedger(redis: Redis, prefix: string): DeliveryLedger {
  const key = (id: string) => `${prefix}:delivery:${id}`;
  const begin = BEGIN.on(redis);
  return {
    async begin(id, services) {
      const [builds, state] = (await begin(key(id), `${prefix}:build:seq`, String(TTL_SECONDS), ...services)) as [string, string];
      return { buildIds: builds ? builds.split(',') : [], done: state === 'queued' };
    },
    async confirm(id) {
      await redis.hset(key(id), 'state', 'queued');
    },
  };
}
