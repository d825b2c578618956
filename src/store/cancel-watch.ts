import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SlipwayError } from '../core/errors.ts';
import type { CancelRequests } from '../core/ports/cancel-requests.ts';
import { cancelChannel } from './redis-cancel-requests.ts';

/** How often the builds running here are checked for a request the channel did not bring. */
const POLL_MS = 2_000;

/** Turns cancel requests made anywhere into the AbortSignal of the build running in this process. */
export interface CancelWatch {
  /** a signal that aborts with BUILD_CANCELLED (the request's reason) once build `id` is asked to stop; `stop()` when the build is over */
  watch(id: string): { readonly signal: AbortSignal; stop(): void };
  close(): Promise<void>;
}

/**
 * Listens on the cancel channel on a connection of its own (a subscriber can do nothing else),
 * and also reads the requests of the builds running here every `pollMs`: a message sent while
 * the subscriber was reconnecting is not lost, only later. Reading the request itself (not the
 * message) is what stops a build, so a stray message stops nothing.
 */
export function createCancelWatch(redis: Redis, prefix: string, requests: CancelRequests, logger: Logger, pollMs = POLL_MS): CancelWatch {
  const running = new Map<string, AbortController>();
  const check = async (id: string) => {
    const controller = running.get(id);
    if (!controller || controller.signal.aborted) return;
    const reason = await requests.pending(id).catch((err: unknown) => void logger.warn({ err, build: id }, 'could not read a cancel request'));
    if (reason !== undefined) controller.abort(new SlipwayError('BUILD_CANCELLED', reason));
  };
  const subscriber = redis.duplicate();
  subscriber.on('error', (err: Error) => logger.warn({ err: err.message }, 'cancel channel connection problem'));
  subscriber.on('message', (_channel: string, id: string) => void check(id));
  subscriber.subscribe(cancelChannel(prefix)).catch((err: unknown) => logger.warn({ err }, 'could not subscribe to cancel requests; polling only'));
  const timer = setInterval(() => {
    for (const id of running.keys()) void check(id);
  }, pollMs);
  timer.unref();
  return {
    watch(id) {
      const controller = new AbortController();
      running.set(id, controller);
      return { signal: controller.signal, stop: () => void (running.get(id) === controller && running.delete(id)) };
    },
    async close() {
      clearInterval(timer);
      running.clear();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
