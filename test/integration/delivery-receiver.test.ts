/** The delivery receiver against real Redis: queueing one delivery is idempotent, whatever fails mid-way. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { createDeliveryLedger } from '../../src/store/delivery-ledger.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createDeliveryReceiver } from '../../src/webhook/receive-delivery.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import type { PreviewRemovalJobData } from '../../src/queue/jobs.ts';
import { pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));

const SECRET = 's3cret';
const pipelines = [
  { service: 'api', repository: 'acme/mono' },
  { service: 'web', repository: 'acme/mono' },
] as unknown as Pipeline[];

describe('delivery receiver (real Redis)', () => {
  it('a failure after the first of two builds was queued: 503, and the redelivery completes the same builds, none twice', async () => {
    const prefix = `recv-${randomUUID()}`;
    const store = createRedisBuildStore(redis, prefix);
    const enqueued: string[] = [];
    let failOnce = true;
    const receive = createDeliveryReceiver({
      secret: SECRET,
      pipelines,
      ledger: createDeliveryLedger(redis, prefix),
      enqueuer: {
        async enqueueBuild({ buildId }) {
          if (enqueued.length === 1 && failOnce) {
            failOnce = false;
            throw new Error('Connection is closed.');
          }
          if (!enqueued.includes(buildId)) enqueued.push(buildId);
        },
        buildJob: async (buildId) => ({ state: enqueued.includes(buildId) ? 'pending' : 'missing' }),
        async enqueuePreviewRemoval() { throw new Error('a push removes no preview'); },
      },
      redisBack: async () => false,
      logger: pino({ level: 'silent' }),
    });
    const body = Buffer.from(JSON.stringify(pushPayload({ repository: 'acme/mono', branch: 'main', sha: 'f'.repeat(40) })));
    const delivery = { event: 'push', deliveryId: randomUUID(), signature: signBody(SECRET, body), contentType: 'application/json', body };

    const first = await receive(delivery);
    assert.equal(first.status, 503);
    assert.equal(enqueued.length, 1, 'one build was queued before the failure');

    const again = await receive(delivery);
    assert.equal(again.status, 202, JSON.stringify(again.body));
    assert.deepEqual((again.body.queued as { id: string }[]).map((b) => b.id), enqueued);
    assert.equal((await store.list({ limit: 10 })).length, 2, 'two builds in all, not three');

    const third = await receive(delivery);
    assert.match(String(third.body.skipped), /already received/);
    assert.equal((await store.list({ limit: 10 })).length, 2);
  });

  it('waits for Redis when asked to, and answers once it is back', async () => {
    const prefix = `recv-${randomUUID()}`;
    let calls = 0;
    const receive = createDeliveryReceiver({
      secret: SECRET,
      pipelines: pipelines.slice(0, 1),
      ledger: createDeliveryLedger(redis, prefix),
      enqueuer: { async enqueueBuild() { if (calls++ === 0) throw new Error('Connection is closed.'); }, buildJob: async () => ({ state: calls > 1 ? 'pending' : 'missing' }), async enqueuePreviewRemoval() {} },
      redisBack: async () => true,
      logger: pino({ level: 'silent' }),
    });
    const body = Buffer.from(JSON.stringify(pushPayload({ repository: 'acme/mono', branch: 'main', sha: 'f'.repeat(40) })));
    const res = await receive({ event: 'push', deliveryId: randomUUID(), signature: signBody(SECRET, body), contentType: 'application/json', body });
    assert.equal(res.status, 202);
    assert.equal(calls, 2);
  });

  it('queues one removal per previewing pipeline for a closed pull request, after waiting for Redis, and builds nothing', async () => {
    const removals: PreviewRemovalJobData[] = [];
    let calls = 0;
    const withPreview = [pipelines[0], { ...pipelines[1], preview: { scheduler: 'docker', settings: {} } }, { service: 'docs', repository: 'acme/docs', preview: { scheduler: 'docker', settings: {} } }] as Pipeline[];
    const receive = createDeliveryReceiver({
      secret: SECRET,
      pipelines: withPreview,
      ledger: createDeliveryLedger(redis, `recv-${randomUUID()}`),
      enqueuer: {
        async enqueueBuild() { throw new Error('a close builds nothing'); },
        async buildJob() { throw new Error('a close builds nothing'); },
        async enqueuePreviewRemoval(data) { if (calls++ === 0) throw new Error('Connection is closed.'); removals.push(data); },
      },
      redisBack: async () => true,
      logger: pino({ level: 'silent' }),
    });
    const send = (repository: string, number: number) => {
      const payload = pullRequestPayload({ action: 'closed', repository, closedAt: '2026-12-07T18:50:12Z' });
      payload.number = number;
      const body = Buffer.from(JSON.stringify(payload));
      return receive({ event: 'pull_request', deliveryId: `d-${number}`, signature: signBody(SECRET, body), contentType: 'application/json', body });
    };
    const res = await send('acme/mono', 7);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body, { removing: [{ service: 'web', environment: 'pr-7' }] });
    assert.deepEqual(removals.map(({ closedAt: _, ...r }) => r), [{ service: 'web', environment: 'pr-7', repository: 'acme/mono', number: 7, deliveryId: 'd-7' }]);
    assert.equal(removals[0]!.closedAt, Date.parse('2026-12-07T18:50:12.999Z'), 'the payload\'s closed_at, not the time it arrived');
    const none = await send('acme/other', 8);
    assert.deepEqual(none.body, { skipped: 'no pipeline previews pull requests of acme/other; nothing to remove' });
  });
});
