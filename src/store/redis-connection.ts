import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/config.ts';
import { redactUrl } from '../core/redact-url.ts';
import { followFailovers } from './follow-failovers.ts';

/** What a connection is made from: REDIS_URL, and the sentinels to ask for the primary when set. */
export type RedisTarget = Pick<Config, 'redisUrl' | 'redisSentinel'>;

/** A sentinel slower than this to name the primary is passed over for the next one. */
const SENTINEL_COMMAND_TIMEOUT_MS = 3_000;

/**
 * The one place a Redis connection is made from config. `own` is the caller's retry and
 * offline-queue behaviour, kept as given. Behind Sentinel (REDIS_SENTINELS) the primary's address
 * comes from the sentinels, REDIS_URL gives only password, username, db and TLS, and a failover
 * moves the connection to the new primary at once (followFailovers). BullMQ makes its further
 * connections (a worker's blocking one) with `duplicate()`, which keeps all of this.
 */
export function connectRedis(target: RedisTarget, own: RedisOptions = {}): Redis {
  const redis = new Redis(target.redisUrl, { ...sentinelOptions(target, own), ...own });
  return target.redisSentinel ? followFailovers(redis, target.redisSentinel) : redis;
}

function sentinelOptions(target: RedisTarget, own: RedisOptions): RedisOptions {
  const sentinel = target.redisSentinel;
  if (!sentinel) return {};
  return {
    sentinels: sentinel.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: sentinel.name,
    role: 'master',
    // A failover moves every connection at once: followFailovers (ioredis's failoverDetector can
    // end a connection for good when the failover is announced while it reconnects).
    failoverDetector: false,
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
