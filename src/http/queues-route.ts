import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Redis } from 'ioredis';
import type { QueuesBoard } from './queues-board.ts';

export const QUEUES_PATH = '/queues';

/** Bull Board's page: its own scripts and styles only (inline style attributes included), nothing off-site. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

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
  let board: Promise<QueuesBoard> | undefined;
  return {
    get() {
      board ??= import('./queues-board.ts').then((m) => m.createQueuesBoard({ ...deps, basePath: QUEUES_PATH }));
      return board.catch((err: unknown) => {
        board = undefined;
        throw err;
      });
    },
    close: async () => void (await (await board?.catch(() => undefined))?.close()),
  };
}

/**
 * `/queues`: the build and deploy queues in Bull Board, behind `guard` (the API's: the token, or a
 * signed-in session). A browser that is not signed in is sent to sign in (`signIn`, when GitHub
 * sign-in is configured) and comes back here.
 */
export function queuesRoute(guard: RequestHandler, board: () => Promise<QueuesBoard>, signIn?: { path: string; signedIn(req: Request): boolean }): Router {
  const router = express.Router();
  router.use(QUEUES_PATH, (req, res, next) => {
    const page = req.method === 'GET' && req.path === '/';
    if (signIn && page && !req.get('authorization') && !signIn.signedIn(req) && req.accepts(['json', 'html']) === 'html') {
      return void res.redirect(302, `${signIn.path}?next=${encodeURIComponent(QUEUES_PATH)}`);
    }
    next();
  }, guard, (req, res, next) => {
    res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' });
    board().then((b) => b.handler(req, res, next), next);
  });
  return router;
}
