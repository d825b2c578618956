import type { Logger } from 'pino';
import type { Pipeline } from '../core/pipeline.ts';
import { previewEnvironment } from '../core/preview.ts';
import type { ClosedPullRequest, SourceEvent } from '../core/source-event.ts';
import type { Enqueuer } from '../queue/queues.ts';
import type { DeliveryLedger, RecordedBuild } from '../store/delivery-ledger.ts';
import { normalize } from './normalize.ts';
import { parseBody } from './parse-body.ts';
import { applyPaths } from './paths-verdict.ts';
import { verifySignature } from './verify-signature.ts';

/** GitHub waits 10 s for an answer; keep some of that for the network. */
const DEFAULT_PATIENCE_MS = 8_000;

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
  /** builds queued for this delivery; their `pending` statuses are posted, and what they supersede cancelled, after the reply */
  readonly queued: readonly RecordedBuild[];
}

export interface ReceiverDeps {
  readonly secret: string;
  readonly pipelines: readonly Pipeline[];
  readonly ledger: DeliveryLedger;
  readonly enqueuer: Pick<Enqueuer, 'enqueueBuild' | 'buildJob' | 'enqueuePreviewRemoval'>;
  /** resolves true once Redis answers again (false when `timeoutMs` passed first) */
  readonly redisBack: (timeoutMs: number) => Promise<boolean>;
  readonly logger: Logger;
  /** how long one delivery may wait for Redis before the answer is 503; default 8 s */
  readonly patienceMs?: number;
}

/**
 * Verifies, normalizes, dedupes and enqueues one delivery; never touches git or Docker, so it
 * answers in milliseconds. Bad input changes nothing: 401 bad signature, 400 not JSON or missing
 * headers, 202 with a reason for events no pipeline wants. Queueing is idempotent per delivery id
 * (DeliveryLedger), so while Redis is briefly away the delivery waits for it and tries again, within
 * GitHub's 10 s; 503 only when Redis stayed away, and a redelivery then completes what was started.
 */
export function createDeliveryReceiver(deps: ReceiverDeps): (delivery: Delivery) => Promise<Reply> {
  const patienceMs = deps.patienceMs ?? DEFAULT_PATIENCE_MS;
  return async (d) => {
    if (!(await verifySignature(deps.secret, d.body, d.signature))) {
      return reply(401, { error: 'X-Hub-Signature-256 is missing or does not match; check that GITHUB_WEBHOOK_SECRET equals the webhook secret on GitHub' });
    }
    if (!d.event || !d.deliveryId) return reply(400, { error: 'X-GitHub-Event and X-GitHub-Delivery headers are required' });
    const payload = parseBody(d.contentType, d.body);
    if (payload === undefined) return reply(400, { error: 'body is not JSON' });

    const verdict = normalize(d.event, d.deliveryId, payload);
    if (verdict.action === 'ping') return reply(200, { ok: true, message: 'pong' });
    if (verdict.action === 'skip') return reply(202, { skipped: verdict.reason });
    if (verdict.action === 'close') return closed(deps, verdict.closed, patienceMs);
    const wanted = deps.pipelines.filter((p) => p.repository.toLowerCase() === verdict.event.repository.toLowerCase());
    if (wanted.length === 0) return reply(202, { skipped: `no pipeline builds repository ${verdict.event.repository}` });
    // `paths`: decided here when the payload lists every changed file, else by the worker from git.
    const { build: pipelines, event, skipped } = applyPaths(wanted, verdict.event, payload);
    if (skipped) return reply(202, { skipped });
    const deliveryId = d.deliveryId;
    return patiently(deps, deliveryId, patienceMs, 'the build', () => queue(deps, deliveryId, event, pipelines));
  };
}

/**
 * Runs `work` (idempotent for one delivery) until it succeeds, waiting for Redis when it fails;
 * 503 when Redis did not come back within `patienceMs`.
 */
async function patiently(deps: ReceiverDeps, deliveryId: string, patienceMs: number, what: string, work: () => Promise<Reply>): Promise<Reply> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    try {
      return await work();
    } catch (err) {
      const left = deadline - Date.now();
      deps.logger.warn({ err, delivery: deliveryId, waitMs: Math.max(0, left) }, `could not queue ${what}; waiting for Redis`);
      if (left > 0 && (await deps.redisBack(left))) continue;
      deps.logger.error({ err, delivery: deliveryId }, `could not queue ${what}: Redis did not come back in time`);
      return reply(503, { error: `could not queue ${what}: Redis did not answer within ${patienceMs / 1000} s. Redeliver the webhook once it is up; what was started is completed, never duplicated` });
    }
  }
}

/** A closed pull request: one removal job per pipeline of the repository that previews (the worker removes; nothing here). */
function closed(deps: ReceiverDeps, pr: ClosedPullRequest, patienceMs: number): Promise<Reply> {
  const previewing = deps.pipelines.filter((p) => p.preview && p.repository.toLowerCase() === pr.repository.toLowerCase());
  if (previewing.length === 0) return Promise.resolve(reply(202, { skipped: `no pipeline previews pull requests of ${pr.repository}; nothing to remove` }));
  const environment = previewEnvironment(pr.number);
  // Both the payload's closed_at (to the end of its second) and the arrival are at or after the
  // close: the earlier of the two, so a close redelivered after a reopen keeps its first time.
  const closedAt = Math.min(Date.now(), pr.closedAt ?? Infinity);
  return patiently(deps, pr.deliveryId, patienceMs, 'the preview removal', async () => {
    for (const p of previewing) {
      await deps.enqueuer.enqueuePreviewRemoval({ service: p.service, environment, repository: pr.repository, number: pr.number, closedAt, deliveryId: pr.deliveryId });
    }
    deps.logger.info({ delivery: pr.deliveryId, services: previewing.map((p) => p.service), environment }, 'preview removals queued');
    return reply(202, { removing: previewing.map((p) => ({ service: p.service, environment })) });
  });
}

/**
 * Records the delivery's builds (one step: ids, records, lines of work) and queues their jobs.
 * Every step is idempotent for one delivery id, so it may be run again after any interruption: a
 * delivery seen before queues only the builds still queued whose job was never made (the first try
 * was cut off between recording and queueing), and is "already received" when there are none.
 */
async function queue(deps: ReceiverDeps, deliveryId: string, event: SourceEvent, pipelines: readonly Pipeline[]): Promise<Reply> {
  const { seen, builds } = await deps.ledger.record(deliveryId, pipelines.map((p) => ({ service: p.service, event })), Date.now());
  const unqueued = seen ? await jobless(deps, builds) : builds;
  if (seen && unqueued.length === 0) return reply(202, { skipped: `delivery ${deliveryId} was already received; nothing new queued` });
  for (const { build } of unqueued) await deps.enqueuer.enqueueBuild({ buildId: build.id });
  deps.logger.info({ delivery: deliveryId, builds: builds.map((b) => b.build.id), sha: event.sha }, 'builds queued');
  return { status: 202, body: { queued: builds.map(({ build }) => ({ id: build.id, service: build.service })) }, queued: builds };
}

/** Of a delivery seen before, the builds still queued that have no job (a worker took none of them). */
async function jobless(deps: ReceiverDeps, builds: readonly RecordedBuild[]): Promise<RecordedBuild[]> {
  const found: RecordedBuild[] = [];
  for (const b of builds) if (b.build.state === 'queued' && (await deps.enqueuer.buildJob(b.build.id)).state === 'missing') found.push(b);
  return found;
}

function reply(status: number, body: Record<string, unknown>): Reply {
  return { status, body, queued: [] };
}
