import express, { type RequestHandler, type Router } from 'express';

export interface HttpMetrics {
  /** the Prometheus text exposition and its content type */
  scrape(): Promise<{ contentType: string; text: string }>;
  webhookAnswered(status: number): void;
}

/** `GET /metrics`: Prometheus text format, behind `guard` (the API token, when one is set). */
export function metricsRoute(metrics: HttpMetrics, guard: RequestHandler): Router {
  const router = express.Router();
  router.get('/metrics', guard, async (_req, res, next) => {
    try {
      const { contentType, text } = await metrics.scrape();
      res.type(contentType).send(text);
    } catch (err) {
      next(err);
    }
  });
  return router;
}

