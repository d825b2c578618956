import express, { type RequestHandler, type Router } from 'express';
import type { Registry } from 'prom-client';

export interface HttpMetrics {
  readonly registry: Registry;
  webhookAnswered(status: number): void;
}

/** `GET /metrics`: Prometheus text format, behind `guard` (the API token, when one is set). */
export function metricsRoute(metrics: HttpMetrics, guard: RequestHandler): Router {
  const router = express.Router();
  router.get('/metrics', guard, async (_req, res, next) => {
    try {
      const text = await metrics.registry.metrics();
      res.type(metrics.registry.contentType).send(text);
    } catch (err) {
      next(err);
    }
  });
  return router;
}

