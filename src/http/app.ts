import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from 'pino';
import type { Build } from '../core/build.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { Delivery, Reply } from '../webhook/receive-delivery.ts';
import { apiRoutes } from './api-routes.ts';
import { requireBearer } from './bearer-auth.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { githubSignIn, type GitHubSignInConfig } from './github-sign-in.ts';
import { countWebhookAnswers, metricsRoute, type HttpMetrics } from './metrics-route.ts';
import { webhookRoute } from './webhook-route.ts';

export interface AppDeps {
  readonly receive: (d: Delivery) => Promise<Reply>;
  readonly afterQueued: (builds: readonly Build[]) => void;
  readonly store: BuildStore;
  readonly healthy: () => Promise<boolean>;
  readonly logger: Logger;
  /** SLIPWAY_API_TOKEN: when set, `/api/*` needs it as a bearer token */
  readonly apiToken?: string;
  /** `GET /metrics` (same token rule as `/api`) and the webhook answers it counts */
  readonly metrics?: HttpMetrics;
  /** GitHub sign-in for people (SLIPWAY_GITHUB_OAUTH_*): their session opens the API and dashboard */
  readonly signIn?: GitHubSignInConfig;
}

/**
 * The HTTP surface: webhook (mounted before any body parser, signature-checked), health (open),
 * API and /metrics (behind SLIPWAY_API_TOKEN and/or a GitHub sign-in session when configured;
 * CSRF-checked for the session), dashboard.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.metrics) app.use(countWebhookAnswers(deps.metrics));
  app.use(webhookRoute(deps.receive, deps.afterQueued));
  app.get('/healthz', async (_req, res) => {
    const ok = await deps.healthy().catch(() => false);
    res.status(ok ? 200 : 503).json({ ok, redis: ok ? 'up' : 'unreachable' });
  });
  const signIn = deps.signIn && githubSignIn(deps.signIn, deps.logger);
  if (signIn) {
    app.use(signIn.csrf); // every state-changing request made with the session cookie
    app.use(signIn.routes);
  }
  const guard = requireBearer(deps.apiToken, signIn && ((req) => signIn.session(req) !== undefined));
  if (deps.metrics) app.use(metricsRoute(deps.metrics, guard));
  app.use('/api', guard);
  app.use(apiRoutes(deps.store));
  app.use(dashboardRoutes());
  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  app.use(errorHandler(deps.logger, deps.healthy));
  return app;
}

/** 4xx as thrown; a failure while Redis does not answer is 503 (try again), any other 500. */
function errorHandler(logger: Logger, healthy: () => Promise<boolean>): ErrorRequestHandler {
  return async (err, req, res, _next) => {
    const client = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? (err.status as number) : undefined;
    if (client) return void res.status(client).json({ error: client === 413 ? 'payload too large' : String(err?.message ?? 'bad request') });
    if (!(await healthy().catch(() => false))) {
      logger.warn({ path: req.path }, 'request failed while Redis is unavailable');
      return void res.status(503).set('retry-after', '5').json({ error: 'Redis is unavailable; try again in a moment' });
    }
    logger.error({ err, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal error; see the server log' });
  };
}
