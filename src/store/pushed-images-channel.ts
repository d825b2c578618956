import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Build } from '../core/build.ts';

/** `<prefix>:pushed`: the service of a build whose image was just pushed. */
export function pushedChannel(prefix: string): string {
  return `${prefix}:pushed`;
}

/**
 * News of pushed images between build workers, on a Redis pub/sub channel (nothing polls, nothing
 * is stored): the worker that pushed a build's image names its service, and every build worker
 * listening pulls that service's last pushed image in the background (warm-build-cache.ts), so
 * that its next build of the service pulls nothing. A message is a hint: the listener looks the
 * image up in the build store, so a stray one costs a lookup, and one lost while a subscriber
 * reconnects leaves that worker colder, never wrong (its next build pulls during the clone).
 */
export interface PushedImages {
  /** names the build's service on the channel if its image was pushed (a fork's never is); never rejects */
  announce(build: Build): Promise<void>;
  /** calls `heard` with each service named on the channel until `close`; resolves once subscribed (or it could not be: a log line) */
  follow(heard: (service: string) => void): Promise<void>;
  close(): Promise<void>;
}

export function createPushedImages(redis: Redis, prefix: string, logger: Logger): PushedImages {
  const channel = pushedChannel(prefix);
  let subscriber: Redis | undefined;
  return {
    async announce(build) {
      if (!build.image?.digest || build.event.pullRequest?.fork) return;
      await redis.publish(channel, build.service).then(
        () => undefined,
        (err: unknown) => logger.warn({ err, service: build.service }, 'could not tell the other build workers of a pushed image'),
      );
    },
    async follow(heard) {
      // A connection of its own: a subscriber can do nothing else.
      const listener = (subscriber ??= redis.duplicate());
      listener.on('error', (err: Error) => logger.warn({ err: err.message }, 'pushed-images channel connection problem'));
      listener.on('message', (_channel: string, service: string) => heard(service));
      await listener.subscribe(channel).then(
        () => undefined,
        (err: unknown) => logger.warn({ err }, 'could not follow pushed images; build caches are warmed when the worker starts only'),
      );
    },
    async close() {
      await subscriber?.quit().catch(() => subscriber?.disconnect());
    },
  };
}
