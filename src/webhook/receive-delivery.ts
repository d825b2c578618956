import type { Logger } from 'pino';
import type { Build } from '../core/build.ts';
import type { Pipeline } from '../core/pipeline.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { Enqueuer } from '../queue/queues.ts';
import type { DeliveryLedger } from '../store/delivery-ledger.ts';
import { normalize } from './normalize.ts';
import { parseBody } from './parse-body.ts';
import { verifySignature } from './verify-signature.ts';

/** One webhook request as received: headers that matter and the exact body bytes. */
export interface Delivery {
  readonly event?: string;
  readonly deliveryId?: string;
  readonly signature?: string;
  readonly contentType?: string;
  readonly body: Buffer;
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** builds created for this delivery; their `pending` statuses are posted after the reply */
  readonly queued: readonly Build[];
}

export interface ReceiverDeps {
  readonly secret: string;
  readonly pipelines: readonly Pipeline[];
  readonly store: BuildStore;
  readonly ledger: DeliveryLedger;
  readonly enqueuer: Pick<Enqueuer, 'enqueueBuild'>;
  readonly logger: Logger;
}

/**
 * Verifies, normalizes, dedupes and enqueues one delivery; never touches git or Docker, so it
 * answers in milliseconds. Bad input changes nothing: 401 bad signature, 400 not JSON or missing
 * headers, 202 with a reason for events no pipeline wants, 503 (nothing kept) when Redis fails.
 */
export function createDeliveryReceiver(deps: ReceiverDeps): (delivery: Delivery) => Promise<Reply> {
  return async (d) => {
    if (!verifySignature(deps.secret, d.body, d.signature)) {
      return reply(401, { error: 'X-Hub-Signature-256 is missing or does not match; check that GITHUB_WEBHOOK_SECRET equals the webhook secret on GitHub' });
    }
    if (!d.event || !d.deliveryId) return reply(400, { error: 'X-GitHub-Event and X-GitHub-Delivery headers are required' });
    const payload = parseBody(d.contentType, d.body);
    if (payload === undefined) return reply(400, { error: 'body is not JSON' });

    const verdict = normalize(d.event, d.deliveryId, payload);
    if (verdict.action === 'ping') return reply(200, { ok: true, message: 'pong' });
    if (verdict.action === 'skip') return reply(202, { skipped: verdict.reason });
    const event = verdict.event;
    const pipelines = deps.pipelines.filter((p) => p.repository.toLowerCase() === event.repository.toLowerCase());
    if (pipelines.length === 0) return reply(202, { skipped: `no pipeline builds repository ${event.repository}` });

    try {
      if (!(await deps.ledger.claim(d.deliveryId))) {
        return reply(202, { skipped: `delivery ${d.deliveryId} was already received; nothing new queued` });
      }
      const queued: Build[] = [];
      for (const pipeline of pipelines) {
        const build = await deps.store.create(pipeline.service, event);
        await deps.enqueuer.enqueueBuild({ buildId: build.id });
        queued.push(build);
      }
      await deps.ledger.confirm(d.deliveryId);
      deps.logger.info({ delivery: d.deliveryId, builds: queued.map((b) => b.id), sha: event.sha }, 'builds queued');
      return { status: 202, body: { queued: queued.map((b) => ({ id: b.id, service: b.service })) }, queued };
    } catch (err) {
      await deps.ledger.release(d.deliveryId).catch(() => undefined);
      deps.logger.error({ err, delivery: d.deliveryId }, 'could not queue builds');
      return reply(503, { error: 'could not queue the build (is Redis up?); nothing was kept, redeliver the webhook' });
    }
  };
}

function reply(status: number, body: Record<string, unknown>): Reply {
  return { status, body, queued: [] };
}
