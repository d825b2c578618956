import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signBody } from '../../src/webhook/verify-signature.ts';
import type { Running } from '../../workers/slipway.ts';
import { example, pushPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { removeTempDirs } from '../support/temp-dir.ts';
import { builds, SECRET, serverOnly, SHA } from '../support/webhook-server.ts';

after(removeTempDirs); // once every server of this file is closed

async function post(url: string, event: string, body: string, headers: Record<string, string | null> = {}) {
  const h: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(SECRET, body) };
  for (const [k, v] of Object.entries(headers)) if (v === null) delete h[k]; else h[k] = v;
  const res = await fetch(`${url}/webhooks/github`, { method: 'POST', headers: h, body });
  return { status: res.status, body: (await res.json()) as any };
}

describe('POST /webhooks/github (server only, real Redis)', () => {
  const repository = 'acme/web';
  let s: Running & { url: string };
  before(async () => {
    s = await serverOnly(testEnv().redisUrl, repository);
  });
  after(async () => s?.close());
  const push = (o = {}) => JSON.stringify(pushPayload({ repository, branch: 'main', sha: SHA, ...o }));

  it('answers ping with 200 and queues nothing', async () => {
    const r = await post(s.url, 'ping', JSON.stringify(example('ping')));
    assert.equal(r.status, 200);
    assert.equal((await builds(s.url)).length, 0);
  });

  const refused: [string, () => [string, string, Record<string, string | null>], number, RegExp][] = [
    ['a missing signature', () => ['push', push(), { 'x-hub-signature-256': null }], 401, /GITHUB_WEBHOOK_SECRET/],
    ['a signature made with another secret', () => ['push', push(), { 'x-hub-signature-256': signBody('nope', push()) }], 401, /does not match/],
    ['a body changed after signing', () => ['push', push(), { 'x-hub-signature-256': signBody(SECRET, push({ branch: 'other' })) }], 401, /does not match/],
    ['a body that is not JSON', () => ['push', '{not json', {}], 400, /not JSON/],
    ['a missing delivery id', () => ['push', push(), { 'x-github-delivery': null }], 400, /X-GitHub-Delivery/],
  ];
  for (const [name, make, status, error] of refused) {
    it(`refuses ${name} with ${status} and queues nothing`, async () => {
      const [event, body, headers] = make();
      const r = await post(s.url, event, body, headers);
      assert.equal(r.status, status);
      assert.match(r.body.error, error);
      assert.equal((await builds(s.url)).length, 0);
    });
  }

  const skipped: [string, () => [string, string], RegExp][] = [
    ['a tag push', () => ['push', JSON.stringify(example('push', (p) => p.ref.startsWith('refs/tags/') && !p.deleted))], /tag push/],
    ['a branch deletion', () => ['push', JSON.stringify(example('push', (p) => p.deleted))], /deleted/],
    ['a repository no pipeline wants', () => ['push', JSON.stringify(pushPayload({ repository: 'acme/other', branch: 'main', sha: SHA }))], /no pipeline builds repository acme\/other/],
    ['an event Slipway does not build', () => ['issues', JSON.stringify(example('issues'))], /"issues" is not one Slipway builds/],
  ];
  for (const [name, make, reason] of skipped) {
    it(`answers ${name} with 202 and the reason`, async () => {
      const [event, body] = make();
      const r = await post(s.url, event, body);
      assert.equal(r.status, 202);
      assert.match(r.body.skipped, reason);
      assert.equal((await builds(s.url)).length, 0);
    });
  }

  it('accepts a form-encoded delivery, signed over the form body', async () => {
    const body = new URLSearchParams({ payload: push() }).toString();
    const r = await post(s.url, 'push', body, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 202);
    assert.equal(r.body.queued.length, 1);
  });

  it('queues a build once per delivery id', async () => {
    const before = (await builds(s.url)).length;
    const id = randomUUID();
    const first = await post(s.url, 'push', push(), { 'x-github-delivery': id });
    const second = await post(s.url, 'push', push(), { 'x-github-delivery': id });
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.match(second.body.skipped, /already received/);
    assert.equal((await builds(s.url)).length, before + 1);
  });

  it('serves 404 for unknown builds and routes', async () => {
    assert.equal((await fetch(`${s.url}/api/builds/999999`)).status, 404);
    assert.equal((await fetch(`${s.url}/api/builds/999999/logs`)).status, 404);
    assert.equal((await fetch(`${s.url}/nope`)).status, 404);
  });

  it('serves the dashboard and health', async () => {
    assert.match(await (await fetch(`${s.url}/`)).text(), /<title>[^<]*Slipway<\/title>/);
    assert.match(await (await fetch(`${s.url}/builds/1`)).text(), /<title>[^<]*Slipway<\/title>/);
    assert.deepEqual(await (await fetch(`${s.url}/healthz`)).json(), { ok: true, redis: 'up' });
  });
});
