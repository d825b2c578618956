import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { lazyLoad } from '../core/lazy-load.ts';
import type { AppDeps, Failure } from './app-deps.ts';
import { createSignatureRefusals } from './signature-refusals.ts';
import { DEFAULT_WEBHOOK_LIMITS, isWebhookRequest, sendJson, webhookRoute } from './webhook-route.ts';

/**
 * The HTTP surface: webhook (ahead of express and any body parser, signature-checked), health
 * (open), API and /metrics (behind SLIPWAY_API_TOKEN and/or a GitHub sign-in session when
 * configured; CSRF-checked for the session), dashboard. The webhook is the one route GitHub
 * loads: it goes straight to its plain node:http handler, and so does `/healthz` (what a load
 * balancer polls). Everything else goes to express, loaded at the first such request: a start
 * profile showed express and its middleware as about 90 ms of the server's start CPU and 50
 * modules that a server taking only webhooks never runs.
 */
export function createApp(deps: AppDeps): RequestListener {
  const fail = failureAnswer(deps.logger, deps.healthy);
  const webhook = webhookRoute(deps.receive, deps.afterQueued, DEFAULT_WEBHOOK_LIMITS, createSignatureRefusals(deps.logger));
  const health = healthRoute(deps.healthy);
  const rest = lazyLoad(() => import('./express-app.ts').then(({ expressApp }) => expressApp(deps, fail)));
  const others: RequestListener = (req, res) => {
    rest.get().then((app) => app(req, res), (err: unknown) => void fail(err, req, res));
  };
  const metrics = deps.metrics;
  return (req, res) => {
    if (metrics && isWebhookRequest(req)) res.once('finish', () => metrics.webhookAnswered(res.statusCode));
    webhook(req, res, (err) => (err !== undefined ? void fail(err, req, res) : health(req, res) || others(req, res)));
  };
}

/** `GET /healthz`: 200 while Redis answers, else 503. Returns false for any other request. */
function healthRoute(healthy: () => Promise<boolean>): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.url ?? '').split('?', 1)[0] !== '/healthz') return false;
    void healthy()
      .catch(() => false)
      .then((ok) => sendJson(res, ok ? 200 : 503, { ok, redis: ok ? 'up' : 'unreachable' }));
    return true;
  };
}


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
