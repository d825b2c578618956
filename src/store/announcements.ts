import type { Redis } from 'ioredis';

/**
 * The server posts a build's first `pending` status after answering the webhook; the worker may
 * pick the build up within milliseconds. To keep statuses in order on GitHub, the server marks
 * the build announced once its post is done and the worker waits (briefly, bounded) for the mark.
 */
export interface Announcements {
  mark(buildId: string): Promise<void>;
  /** resolves when marked or after `timeoutMs`, whichever comes first */
  wait(buildId: string, timeoutMs: number): Promise<void>;
}

export function createAnnouncements(redis: Redis, prefix: string): Announcements {
  const key = (id: string) => `${prefix}:build:${id}:announced`;
  return {
    async mark(id) {
      await redis.set(key(id), '1', 'EX', 3600);
    },
    async wait(id, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if (await redis.exists(key(id))) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
