import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from 'pino';
import type { Build } from '../core/build.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { Delivery, Reply } from '../webhook/receive-delivery.ts';
import { apiRoutes } from './api-routes.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { webhookRoute } from './webhook-route.ts';

export interface AppDeps {
  readonly receive: (d: Delivery) => Promise<Reply>;
  readonly afterQueued: (builds: readonly Build[]) => void;
  readonly store: BuildStore;
  readonly healthy: () => Promise<boolean>;
  readonly logger: Logger;
}

/** The HTTP surface: webhook (mounted before any body parser), API, dashboard, health. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(webhookRoute(deps.receive, deps.afterQueued));
  app.get('/healthz', async (_req, res) => {
    const ok = await deps.healthy().catch(() => false);
    res.status(ok ? 200 : 503).json({ ok, redis: ok ? 'up' : 'unreachable' });
  });
  app.use(apiRoutes(deps.store));
  app.use(dashboardRoutes());
  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  app.use(errorHandler(deps.logger));
  return app;
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status >= 500) logger.error({ err, path: req.path }, 'request failed');
    const message = status === 413 ? 'payload too large' : status >= 500 ? 'internal error; see the server log' : String(err?.message ?? 'bad request');
    res.status(status).json({ error: message });
  };
}
