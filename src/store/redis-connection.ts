import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/config.ts';
import { redactUrl } from '../core/redact-url.ts';

/** What a connection is made from: REDIS_URL, and the sentinels to ask for the primary when set. */
export type RedisTarget = Pick<Config, 'redisUrl' | 'redisSentinel'>;

/** A sentinel slower than this to name the primary is passed over for the next one. */
const SENTINEL_COMMAND_TIMEOUT_MS = 3_000;

/**
 * The one place a Redis connection is made from config. `own` is the caller's retry and
 * offline-queue behaviour, kept as given. Behind Sentinel (REDIS_SENTINELS) the primary's address
 * comes from the sentinels, and REDIS_URL gives only password, username, db and TLS. BullMQ makes
 * its further connections (a worker's blocking one) with `duplicate()`, which keeps all of this.
 */
export function connectRedis(target: RedisTarget, own: RedisOptions = {}): Redis {
  const redis = new Redis(target.redisUrl, { ...sentinelOptions(target, own), ...own });
  return target.redisSentinel ? closingSentinelLinks(redis) : redis;
}

/**
 * ioredis 6 closes the failover detector's sentinel subscriptions on disconnect() only: after
 * quit() (how BullMQ closes), or a connection that gives up, they stay open, reconnect for ever
 * and keep the process alive. Closed here when the connection ends, on BullMQ's duplicates too.
 */
function closingSentinelLinks(redis: Redis): Redis {
  const connector = (redis as unknown as { connector?: { disconnect(): void } }).connector;
  redis.on('end', () => connector?.disconnect());
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (override) => closingSentinelLinks(duplicate(override));
  return redis;
}

function sentinelOptions(target: RedisTarget, own: RedisOptions): RedisOptions {
  const sentinel = target.redisSentinel;
  if (!sentinel) return {};
  return {
    sentinels: sentinel.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: sentinel.name,
    role: 'master',
    // Subscribed to +switch-master on the sentinels: on a failover every connection drops the old
    // primary at once and asks again, instead of writing to it until Sentinel demotes it (writes
    // that the old primary takes then are thrown away when it resyncs as a replica).
    failoverDetector: true,
    // Still on a demoted primary (its answer is READONLY: the command was not run): reconnect,
    // which asks the sentinels again, and send the command once more.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    // Asking the sentinels follows the caller's retry: a one-shot check gives up when none answers.
    ...(own.retryStrategy !== undefined ? { sentinelRetryStrategy: own.retryStrategy ?? (() => null) } : {}),
    sentinelCommandTimeout: SENTINEL_COMMAND_TIMEOUT_MS,
    enableTLSForSentinelMode: target.redisUrl.startsWith('rediss:'),
  };
}

/** Where Slipway's Redis is, for an operator's message, credentials hidden. */
export function describeRedisTarget(target: RedisTarget): string {
  const sentinel = target.redisSentinel;
  if (!sentinel) return `${redactUrl(target.redisUrl)} (REDIS_URL)`;
  const list = sentinel.sentinels.map((s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`)).join(',');
  return `primary "${sentinel.name}" of sentinels ${list} (REDIS_SENTINELS)`;
}
