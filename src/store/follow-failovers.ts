import { Redis } from 'ioredis';
import type { Config } from '../config/config.ts';

type SentinelGroup = NonNullable<Config['redisSentinel']>;

/** How often a sentinel that went away is called again. */
const SENTINEL_RECONNECT_MS = 1_000;

/**
 * Moves `redis` to the new primary as soon as a sentinel announces a failover (`+switch-master`
 * of the group's name), and does the same for every `duplicate()` of it (BullMQ's own
 * connections). A primary that hangs keeps its connections open and answers nothing, so without
 * this a connection would wait on it for ever; one that was demoted would answer READONLY.
 *
 * Instead of ioredis's own `failoverDetector`: that one disconnects a connection even while it is
 * asking the sentinels for the primary, which ends the connection for good ("Connection is
 * closed.", no reconnect; seen in the Sentinel fault test), and its sentinel subscriptions
 * outlive quit(). Here a connection is only cut once connected; one that is asking the sentinels
 * when the failover is announced is cut once it connects, in case it was told the old primary.
 * The subscriptions close when the connection ends.
 */
export function followFailovers(redis: Redis, group: SentinelGroup): Redis {
  let lastSwitch: string | undefined;
  let staleOnConnect = false;
  const move = () => {
    if (redis.status === 'ready' || redis.status === 'connect') redis.disconnect(true);
    else if (redis.status === 'connecting') staleOnConnect = true;
    // 'reconnecting', 'wait', 'end': the next connection asks the sentinels afresh
  };
  redis.on('connect', () => {
    if (!staleOnConnect) return;
    staleOnConnect = false;
    redis.disconnect(true);
  });
  const watchers = group.sentinels.map((s) => {
    const watcher = new Redis({ host: s.host, port: s.port, retryStrategy: () => SENTINEL_RECONNECT_MS, maxRetriesPerRequest: null });
    watcher.on('error', () => undefined); // a sentinel down is expected; the others still tell
    watcher.on('message', (_channel: string, message: string) => {
      // "<name> <old-ip> <old-port> <new-ip> <new-port>", once from each sentinel
      if (message.split(' ')[0] !== group.name || message === lastSwitch) return;
      lastSwitch = message;
      move();
    });
    watcher.subscribe('+switch-master').catch(() => undefined);
    return watcher;
  });
  redis.once('end', () => {
    for (const w of watchers) w.disconnect();
  });
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (override) => followFailovers(duplicate(override), group);
  return redis;
}
