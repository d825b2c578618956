import type { RequestListener } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import type { AppDeps, Failure } from './app-deps.ts';
import { apiRoutes } from './api-routes.ts';
import { buildActionRoutes } from './build-action-routes.ts';
import { buildEventsRoutes } from './build-events-routes.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { environmentRoutes } from './environment-routes.ts';
import { githubSignIn } from './github-sign-in.ts';
import { metricsRoute } from './metrics-route.ts';
import { queuesRoute } from './queues-route.ts';
import { requireBearer } from './bearer-auth.ts';

/** Every route but the webhook and `/healthz`: sign-in, `/metrics`, the API, `/queues`, the dashboard. Loaded by app.ts at the first request for one. */
export function expressApp(deps: AppDeps, fail: Failure): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  const signIn = deps.signIn && githubSignIn(deps.signIn, deps.logger);
  if (signIn) {
    app.use(signIn.csrf); // every state-changing request made with the session cookie
    app.use(signIn.routes);
  }
  const guard = requireBearer(deps.apiToken, signIn && ((req) => signIn.session(req) !== undefined));
  if (deps.metrics) app.use(metricsRoute(deps.metrics, guard));
  app.use('/api', guard);
  app.use(buildEventsRoutes(deps.store, deps.logger, deps.shutdown));
  app.use(apiRoutes(deps.store, deps.environmentsOverview));
  if (deps.buildActions) app.use(buildActionRoutes(deps.buildActions));
  if (deps.environments) app.use(environmentRoutes(deps.environments));
  if (deps.queuesBoard) app.use(queuesRoute(guard, deps.queuesBoard, signIn && { path: '/auth/github/login', signedIn: (req) => signIn.session(req) !== undefined }));
  app.use(dashboardRoutes({ githubWebUrl: deps.githubWebUrl ?? 'https://github.com', buildActions: deps.buildActions !== undefined, signIn: signIn && { path: '/auth/github/login', session: signIn.session } }));
  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  const onError: ErrorRequestHandler = (err, req, res, _next) => void fail(err, req, res);
  app.use(onError);
  return app;
}
