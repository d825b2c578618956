/**
 * Seeded random input against the real HTTP route, the real receiver and real Redis. Every case is
 * invalid by construction (a wrong type or hostile value in a field Slipway reads, broken UTF-8,
 * deep nesting, a missing or wrong signature, a body too large, ...), so the checks are: no answer
 * is a 5xx (503 only where the in-flight cap is the point), every answer says why, the process
 * keeps serving, and nothing is queued or recorded. A valid delivery at the end proves the check
 * sees builds when there are some. Reproduce a failure with SLIPWAY_FUZZ_SEED=<seed printed>.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { FUZZ_SECRET, generator, headersFor, makeCase, starts, type Case } from '../support/fuzz-deliveries.ts';

const SEED = Number(process.env.SLIPWAY_FUZZ_SEED ?? 0x5eed_2024);
const CASES = 600;

async function send(url: string, c: Case): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const res = await fetch(`${url}/webhooks/github`, { method: 'POST', headers: c.headers, body: new Uint8Array(c.body) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

/** Keys that would mean a build, a delivery or a job was recorded (BullMQ writes a queue's `meta` when it opens it). */
async function recordedKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.filter((k) => /build|deliver|queue|release/.test(k.slice(prefix.length)) && !/:queue:[^:]+:meta$/.test(k)).sort();
}

describe(`webhook fuzz: ${CASES} seeded invalid deliveries against the real route (seed ${SEED})`, () => {
  const repository = 'Codertocat/Hello-World'; // the examples' repository: a valid delivery would build
  const prefix = `fuzz-${randomUUID()}`;
  const pipelines = mkdtempSync(join(tmpdir(), 'slipway-pipelines-'));
  let s: Running & { url: string };
  let redis: Redis;
  before(async () => {
    writeFileSync(join(pipelines, 'hello.yml'), `service: hello\nrepository: ${repository}\n`);
    const config = loadConfig({
      PORT: String(await freePort()),
      REDIS_URL: testEnv().redisUrl,
      GITHUB_WEBHOOK_SECRET: FUZZ_SECRET,
      SLIPWAY_REGISTRY: '127.0.0.1:5000',
      SLIPWAY_PIPELINES_DIR: pipelines,
      SLIPWAY_REDIS_PREFIX: prefix,
    });
    s = (await startSlipway(config, ['server'], pino({ level: 'silent' }))) as Running & { url: string };
    redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: 3 });
    for (const deadline = Date.now() + 10_000; (await fetch(`${s.url}/healthz`)).status !== 200; await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) throw new Error('Redis did not come up within 10 s');
    }
  });
  after(async () => {
    await s?.close();
    redis?.disconnect();
    rmSync(pipelines, { recursive: true, force: true });
  });

  it('answers every case 4xx, 202 or (ping) 200 with a reason, and records nothing', async () => {
    const r = generator(SEED);
    const seen = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(r);
      const answer = await send(s.url, c);
      const where = `case ${i} (seed ${SEED}): ${c.what} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
      assert.ok([200, 202, 400, 401, 413, 415].includes(answer.status), where);
      if (answer.status === 200) assert.equal(c.headers['x-github-event'], 'ping', where);
      if (answer.status === 202) assert.equal(typeof answer.body?.skipped, 'string', where);
      if (answer.status >= 400) assert.equal(typeof answer.body?.error, 'string', where);
      assert.equal(answer.body?.queued, undefined, where);
    }
    assert.deepEqual(await recordedKeys(redis, prefix), [], `seed ${SEED}`);
    // Each family of answers was reached, so the run exercised every layer.
    for (const status of [202, 400, 401, 415]) assert.ok((seen.get(status) ?? 0) > 0, `no ${status} in ${JSON.stringify([...seen])}`);
  });

  it('answers bodies over 25 MB 413 and a burst of large wrongly signed bodies 401 or 503, keeping nothing', async () => {
    const r = generator(SEED + 1);
    const big = Buffer.alloc(25 * 1024 ** 2 + 1 + r.int(1024), 0x20);
    assert.equal((await send(s.url, { what: 'over 25 MB', body: big, headers: headersFor('push', big) })).status, 413);
    const burst = Array.from({ length: 4 }, () => Buffer.alloc(20 * 1024 ** 2, 0x20 + r.int(90)));
    const answers = await Promise.all(burst.map((body) => send(s.url, { what: 'burst', body, headers: headersFor('push', body, { 'x-hub-signature-256': signBody('wrong', body) }) })));
    for (const a of answers) {
      assert.ok(a.status === 401 || (a.status === 503 && Number(a.retryAfter) > 0), `${a.status} ${JSON.stringify(a.body)}`);
    }
    assert.deepEqual(await recordedKeys(redis, prefix), []);
  });

  it('still serves, and records a valid delivery (so the checks above can see one)', async () => {
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    const payload = structuredClone(starts('push').find((p) => p.ref.startsWith('refs/heads/') && !p.deleted));
    const body = Buffer.from(JSON.stringify(payload));
    const answer = await send(s.url, { what: 'valid push', body, headers: headersFor('push', body) });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.queued.length, 1);
    assert.notDeepEqual(await recordedKeys(redis, prefix), []);
  });
});
