import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Build } from '../core/build.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { EnvironmentsOverview } from '../pipeline/environments-overview.ts';
import type { Delivery, Reply } from '../webhook/receive-delivery.ts';
import { apiRoutes } from './api-routes.ts';
import { buildEventsRoutes } from './build-events-routes.ts';
import { buildActionRoutes, type BuildActions } from './build-action-routes.ts';
import { requireBearer } from './bearer-auth.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { environmentRoutes, type EnvironmentActions } from './environment-routes.ts';
import { githubSignIn, type GitHubSignInConfig } from './github-sign-in.ts';
import { metricsRoute, type HttpMetrics } from './metrics-route.ts';
import type { QueuesBoard } from './queues-board.ts';
import { queuesRoute } from './queues-route.ts';
import { createSignatureRefusals } from './signature-refusals.ts';
import { DEFAULT_WEBHOOK_LIMITS, isWebhookRequest, sendJson, webhookRoute } from './webhook-route.ts';

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
  /** `POST /api/builds/:id/cancel` and `/rerun` (absent: not served) */
  readonly buildActions?: BuildActions;
  /** release control: deploy, promote, approve, rollback and releases of one service's environment */
  readonly environments?: EnvironmentActions;
  /** where the dashboard links commits: `https://github.com` (default) or a GitHub Enterprise host */
  readonly githubWebUrl?: string;
  /** aborted when the server is closing: the dashboard's event streams end, so close() does not wait for them */
  readonly shutdown?: AbortSignal;
  /** `GET /api/environments`: every service × environment, what runs and waits there (absent: not served) */
  readonly environmentsOverview?: () => Promise<EnvironmentsOverview>;
  /** `/queues`: Bull Board over the build and deploy queues, made on first use (same guard as `/api`) */
  readonly queuesBoard?: () => Promise<QueuesBoard>;
}

/**
 * The HTTP surface: webhook (ahead of express and any body parser, signature-checked), health
 * (open), API and /metrics (behind SLIPWAY_API_TOKEN and/or a GitHub sign-in session when
 * configured; CSRF-checked for the session), dashboard. The webhook is the one route GitHub
 * loads: it goes straight to its plain node:http handler, and everything else to express.
 */
export function createApp(deps: AppDeps): RequestListener {
  const fail = failureAnswer(deps.logger, deps.healthy);
  const webhook = webhookRoute(deps.receive, deps.afterQueued, DEFAULT_WEBHOOK_LIMITS, createSignatureRefusals(deps.logger));
  const rest = expressApp(deps, fail);
  const metrics = deps.metrics;
  return (req, res) => {
    if (metrics && isWebhookRequest(req)) res.once('finish', () => metrics.webhookAnswered(res.statusCode));
    webhook(req, res, (err) => (err === undefined ? rest(req, res) : void fail(err, req, res)));
  };
}

function expressApp(deps: AppDeps, fail: Failure): RequestListener {
  const app = express();
  app.disable('x-powered-by');
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
  app.use(buildEventsRoutes(deps.store, deps.shutdown));
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

type Failure = (err: unknown, req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** 4xx as thrown; a failure while Redis does not answer is 503 (try again), any other 500. */
function failureAnswer(logger: Logger, healthy: () => Promise<boolean>): Failure {
  return async (err, req, res) => {
    const e = err as { status?: unknown; message?: unknown } | undefined;
    const path = (req.url ?? '').split('?', 1)[0];
    const client = typeof e?.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : undefined;
    if (client) return sendJson(res, client, { error: client === 413 ? 'payload too large' : String(e?.message ?? 'bad request') });
    if (!(await healthy().catch(() => false))) {
      logger.warn({ path }, 'request failed while Redis is unavailable');
      return sendJson(res, 503, { error: 'Redis is unavailable; try again in a moment' }, { 'retry-after': '5' });
    }
    logger.error({ err, path }, 'request failed');
    sendJson(res, 500, { error: 'internal error; see the server log' });
  };
}
