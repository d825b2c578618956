/**
 * The webhook while Redis restarts (Redis of the test's own, with AOF, as production runs it):
 * a delivery waits for Redis within GitHub's 10 s instead of answering 503 at once, 503 comes only
 * when Redis stayed away, and nothing is ever queued twice for one delivery.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { pushPayload } from '../fixtures/payloads.ts';
import { freePort } from '../support/free-port.ts';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.ts';
import { until } from '../support/until.ts';

const SECRET = 'webhook-secret';
const SHA = 'c'.repeat(40);

describe('webhook deliveries while Redis restarts', () => {
  let redis: OwnRedis;
  let s: Running & { url: string };
  let prefix: string;
  let pipelines: string;
  const operatorLog: string[] = [];
  const body = JSON.stringify(pushPayload({ repository: 'acme/web', branch: 'main', sha: SHA }));

  before(async () => {
    redis = await startOwnRedis();
    pipelines = mkdtempSync(join(tmpdir(), 'slipway-pipelines-'));
    writeFileSync(join(pipelines, 'web.yml'), 'service: web\nrepository: acme/web\n');
    prefix = `restart-${randomUUID()}`;
    const config = loadConfig({
      PORT: String(await freePort()), REDIS_URL: redis.url, GITHUB_WEBHOOK_SECRET: SECRET, SLIPWAY_REGISTRY: '127.0.0.1:5000',
      SLIPWAY_PIPELINES_DIR: pipelines, SLIPWAY_REDIS_PREFIX: prefix,
    });
    const logger = pino({ level: 'info' }, { write: (line: string) => void operatorLog.push(line) });
    s = (await startSlipway(config, ['server'], logger)) as Running & { url: string };
  });
  after(async () => {
    await s?.close();
    await redis?.close();
    rmSync(pipelines, { recursive: true, force: true });
  });

  const post = async (delivery: string) => {
    const res = await fetch(`${s.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': delivery, 'x-hub-signature-256': signBody(SECRET, body) },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  /** Build records and queued jobs of a delivery, read straight from Redis. */
  async function kept(delivery: string): Promise<{ builds: number; jobs: number }> {
    const client = new Redis(redis.url);
    const queue = new Queue('build', { connection: client, prefix: `${prefix}:queue` });
    try {
      const records = (await client.keys(`${prefix}:build:*`)).filter((k) => /:build:\d+$/.test(k));
      const mine = (await Promise.all(records.map((k) => client.get(k)))).filter((json) => json && JSON.parse(json).event.deliveryId === delivery);
      const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
      const ids = new Set(mine.map((json) => JSON.parse(json!).id));
      return { builds: mine.length, jobs: jobs.filter((j) => ids.has(j.data.buildId)).length };
    } finally {
      await queue.close();
      await client.quit();
    }
  }

  it('a push that arrives while Redis is down waits for it and is queued once it is back', async () => {
    const delivery = randomUUID();
    await redis.stop();
    const logged = operatorLog.length;
    const answer = post(delivery);
    await until('the delivery to wait for Redis', () => operatorLog.slice(logged).some((l) => l.includes('waiting for Redis')));
    await redis.start();
    const res = await answer;
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.queued.length, 1);
    assert.deepEqual(await kept(delivery), { builds: 1, jobs: 1 });
  });

  it('a push just after Redis came back is queued, not refused while the client reconnects', async () => {
    await redis.stop();
    await redis.start();
    const delivery = randomUUID();
    const res = await post(delivery);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(await kept(delivery), { builds: 1, jobs: 1 });
  });

  it('503 when Redis stays away past the patience; the redelivery queues it once, and a third is a no-op', async () => {
    const delivery = randomUUID();
    await redis.stop();
    const started = Date.now();
    const down = await post(delivery);
    assert.equal(down.status, 503);
    assert.match(down.body.error, /Redeliver the webhook/);
    assert.ok(Date.now() - started < 10_000, 'answered within GitHub\'s 10 s');
    await redis.start();
    const redelivered = await post(delivery);
    assert.equal(redelivered.status, 202, JSON.stringify(redelivered.body));
    assert.equal(redelivered.body.queued.length, 1);
    const again = await post(delivery);
    assert.match(again.body.skipped, /already received/);
    assert.deepEqual(await kept(delivery), { builds: 1, jobs: 1 });
  });

  it('the API answers 503 with a reason, not 500, while Redis is down', async () => {
    await redis.stop();
    try {
      const res = await fetch(`${s.url}/api/builds`);
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as { error: string }).error, /Redis is unavailable/);
    } finally {
      await redis.start();
    }
  });
});
