import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { example } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const SECRET = 'webhook-secret';
const TOKEN = 'api-token-0123456789abcdef';
after(removeTempDirs);

/** A server-only Slipway against the real Redis; what it logs is kept in `logs`. */
async function serverOnly(extra: Record<string, string>): Promise<{ s: Running & { url: string }; logs: string[] }> {
  const dir = makeTempDir('slipway-pipelines-');
  writeFileSync(join(dir, 'web.yml'), 'service: web\nrepository: acme/web\n');
  const config = loadConfig({
    PORT: String(await freePort()),
    REDIS_URL: testEnv().redisUrl,
    GITHUB_WEBHOOK_SECRET: SECRET,
    SLIPWAY_REGISTRY: '127.0.0.1:5000',
    SLIPWAY_PIPELINES_DIR: dir,
    SLIPWAY_REDIS_PREFIX: `auth-${randomUUID()}`,
    ...extra,
  });
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => void (logs.push(String(chunk)), done()) });
  const s = (await startSlipway(config, ['server'], pino({ level: 'info' }, sink))) as Running & { url: string };
  await redisReady(s.url);
  return { s, logs };
}

/** The server fails fast while its Redis connection is still opening: wait (bounded) until /healthz says it is up. */
async function redisReady(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/healthz`);
    await res.body?.cancel();
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`Redis not ready for ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const API_ROUTES = ['/api/builds', '/api/builds/1', '/api/builds/1/logs', '/api/no-such-route', '/metrics'];

describe('SLIPWAY_API_TOKEN set (server only, real Redis)', () => {
  let s: Running & { url: string };
  let logs: string[];
  before(async () => ({ s, logs } = await serverOnly({ SLIPWAY_API_TOKEN: TOKEN })));
  after(async () => s?.close());

  for (const path of API_ROUTES) {
    it(`GET ${path} without a token is 401 with WWW-Authenticate: Bearer and says what to send`, async () => {
      const res = await fetch(`${s.url}${path}`);
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="slipway"$/);
      assert.match(((await res.json()) as { error: string }).error, /Authorization: Bearer <SLIPWAY_API_TOKEN>/);
    });
  }

  const wrong: [string, string][] = [
    ['another token', 'Bearer not-the-token-at-all-000'],
    ['the token with a character more', `Bearer ${TOKEN}x`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token as Basic credentials', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`],
    ['the token without a scheme', TOKEN],
  ];
  for (const [name, header] of wrong) {
    it(`refuses ${name} with 401`, async () => {
      const res = await fetch(`${s.url}/api/builds`, { headers: { authorization: header } });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      await res.body?.cancel();
    });
  }

  it('serves the API with the right bearer token (scheme in any case)', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const res = await fetch(`${s.url}/api/builds`, { headers: { authorization: `${scheme} ${TOKEN}` } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { builds: [] });
    }
    const missing = await fetch(`${s.url}/api/builds/1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });

  it('serves /metrics to Prometheus sending the bearer token', async () => {
    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# TYPE slipway_queue_jobs gauge$/m);
  });

  it('keeps /healthz open', async () => {
    const res = await fetch(`${s.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { ok: boolean }).ok, true);
  });

  it('keeps /webhooks/github open to a signed delivery (the signature is its credential)', async () => {
    const body = JSON.stringify(example('ping'));
    const res = await fetch(`${s.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(SECRET, body) },
      body,
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });

  it('neither warns that the API is open nor logs the token', () => {
    const all = logs.join('');
    assert.doesNotMatch(all, /API is open/);
    assert.equal(all.includes(TOKEN), false);
  });
});

describe('SLIPWAY_API_TOKEN not set', () => {
  let s: Running & { url: string };
  let logs: string[];
  before(async () => ({ s, logs } = await serverOnly({})));
  after(async () => s?.close());

  it('serves the API without credentials', async () => {
    const res = await fetch(`${s.url}/api/builds`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { builds: [] });
  });

  it('serves /metrics without credentials', async () => {
    const res = await fetch(`${s.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# TYPE slipway_webhook_responses_total counter$/m);
  });

  it('warns at start that the API is open', () => {
    const warnings = logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    assert.ok(warnings.some((w) => /SLIPWAY_API_TOKEN is not set: the API is open/.test(w.msg)), logs.join(''));
  });
});

describe('SLIPWAY_API_TOKEN validation', () => {
  it('refuses a token too short to be a secret, saying how to make one', () => {
    assert.throws(
      () => loadConfig({ GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: '127.0.0.1:5000', SLIPWAY_API_TOKEN: 'short' }),
      /SLIPWAY_API_TOKEN[\s\S]*at least 16 characters/,
    );
  });
});
