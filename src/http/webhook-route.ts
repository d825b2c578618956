import express, { type Router } from 'express';
import type { Build } from '../core/build.ts';
import type { Delivery, Reply } from '../webhook/receive-delivery.ts';

/** GitHub refuses to send payloads over 25 MB; accept up to that. */
const MAX_BODY = '25mb';

/**
 * `POST /webhooks/github`. Takes the body as raw bytes (no JSON parser runs before the
 * signature check), answers, and only then hands new builds to `afterReply` (pending statuses).
 */
export function webhookRoute(receive: (d: Delivery) => Promise<Reply>, afterReply: (builds: readonly Build[]) => void): Router {
  const router = express.Router();
  router.post('/webhooks/github', express.raw({ type: () => true, limit: MAX_BODY }), async (req, res, next) => {
    try {
      const result = await receive({
        event: req.get('x-github-event'),
        deliveryId: req.get('x-github-delivery'),
        signature: req.get('x-hub-signature-256'),
        contentType: req.get('content-type'),
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      });
      res.status(result.status).json(result.body);
      if (result.queued.length > 0) afterReply(result.queued);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
