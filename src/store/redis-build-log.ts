import type { Redis } from 'ioredis';
import type { BuildLog } from '../core/ports/build-log.ts';

const MAX_LINE = 8_192;

/**
 * A build log as a Redis list. `line` buffers and schedules one RPUSH per tick, so a chatty build
 * costs few round trips; writes stay in order because each batch waits for the one before it.
 */
export function createRedisBuildLog(redis: Redis, key: string): BuildLog {
  let pending: string[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;

  function drain(): void {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    chain = chain.then(
      () => redis.rpush(key, ...batch).then(() => undefined),
      () => undefined,
    ).catch(() => undefined);
  }

  return {
    line(text) {
      for (const l of text.split('\n')) pending.push(l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l);
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
    async flush() {
      drain();
      await chain;
    },
  };
}
