import express, { type Request, type RequestHandler, type Router } from 'express';
import { QUEUES_PATH } from './lazy-queues-board.ts';
import type { QueuesBoard } from './queues-board.ts';

/** Bull Board's page: its own scripts and styles only (inline style attributes included), nothing off-site. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

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
