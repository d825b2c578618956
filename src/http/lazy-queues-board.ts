import type { Redis } from 'ioredis';
import { lazyLoad } from '../core/lazy-load.ts';
import type { QueuesBoard } from './queues-board.ts';

export const QUEUES_PATH = '/queues';

/** Bull Board, made on first use: `get` imports and builds it once (again after a failure), `close` closes it if it was made. */
export interface LazyQueuesBoard {
  get(): Promise<QueuesBoard>;
  close(): Promise<void>;
}

/**
 * The queues board is imported only when someone opens `/queues`: Bull Board (its UI, ejs,
 * express sub-app) costs the server nothing at start and nothing in memory until then.
 */
export function lazyQueuesBoard(deps: { redis: Redis; queuePrefix: string }): LazyQueuesBoard {
  const board = lazyLoad(() => import('./queues-board.ts').then((m) => m.createQueuesBoard({ ...deps, basePath: QUEUES_PATH })));
  return {
    get: () => board.get(),
    close: async () => void (await (await board.started()?.catch(() => undefined))?.close()),
  };
}
