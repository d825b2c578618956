import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { webhookRoute } from '../../src/http/webhook-route.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { example, pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const SECRET = 'webhook-secret';
const SHA = 'b'.repeat(40);

function pipelinesDir(repository: string): string {
  const dir = makeTempDir('slipway-pipelines-');
  writeFileSync(join(dir, 'web.yml'), `service: web\nrepository: ${repository}\n`);
  return dir;
}
after(removeTempDirs); // once every server of this file is closed

async function serverOnly(redisUrl: string, repository: string): Promise<Running & { url: string }> {
  const config = loadConfig({
    PORT: String(await freePort()),
    REDIS_URL: redisUrl,
    GITHUB_WEBHOOK_SECRET: SECRET,
    SLIPWAY_REGISTRY: '127.0.0.1:5000',
    SLIPWAY_PIPELINES_DIR: pipelinesDir(repository),
    SLIPWAY_REDIS_PREFIX: `http-${randomUUID()}`,
  });
  return (await startSlipway(config, ['server'], pino({ level: 'silent' }))) as Running & { url: string };
}

async function post(url: string, event: string, body: string, headers: Record<string, string | null> = {}) {
  const h: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(SECRET, body) };
  for (const [k, v] of Object.entries(headers)) if (v === null) delete h[k]; else h[k] = v;
  const res = await fetch(`${url}/webhooks/github`, { method: 'POST', headers: h, body });
  return { status: res.status, body: (await res.json()) as any };
}

async function builds(url: string): Promise<unknown[]> {
  return ((await (await fetch(`${url}/api/builds`)).json()) as { builds: unknown[] }).builds;
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

const rawRequests = new Set<http.ClientRequest>();
/** Destroys what a failed test left open, so closing the server does not wait on it. */
const destroyRawRequests = () => rawRequests.forEach((r) => r.destroy());

/** Sends headers and `parts` of a body, leaving the request open unless `end`; resolves on the answer. */
function rawPost(url: string, headers: Record<string, string | number>, parts: Buffer[] = [], end = false) {
  const request = http.request(`${url}/webhooks/github`, { method: 'POST', headers, agent: false });
  rawRequests.add(request);
  request.on('error', () => undefined); // the server may close the connection after answering
  const answer = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      res.on('error', reject);
    });
  });
  request.flushHeaders();
  for (const part of parts) request.write(part);
  if (end) request.end();
  return { answer, request };
}

/** Waits (bounded) until the server reports Redis up, so the first count of builds is a real one. */
async function redisReady(url: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    if ((await fetch(`${url}/healthz`)).status === 200) return;
  }
  throw new Error('Redis did not come up within 10 s');
}

function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('POST /webhooks/github: input of every shape is answered 4xx or 202 with a reason (real app, real Redis)', () => {
  const repository = 'acme/web';
  let s: Running & { url: string };
  before(async () => {
    s = await serverOnly(testEnv().redisUrl, repository);
    await redisReady(s.url);
  });
  after(async () => {
    destroyRawRequests();
    await s?.close();
  });
  const payload = () => pushPayload({ repository, branch: 'main', sha: SHA });
  const pullRequest = () => pullRequestPayload({ repository, sha: SHA, branch: 'feature-x' });
  const signed = (event: string, body: string | Buffer, extra: Record<string, string> = {}) => ({
    'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(SECRET, body), ...extra,
  });
  async function postBytes(event: string, body: Buffer, extra: Record<string, string> = {}) {
    const res = await fetch(`${s.url}/webhooks/github`, { method: 'POST', headers: signed(event, body, extra), body: new Uint8Array(body) });
    return { status: res.status, body: (await res.json()) as any };
  }

  const wrongTypes: [string, string, (p: any) => void, RegExp][] = [
    ['a number as ref', 'push', (p) => (p.ref = 5), /\bref\b/],
    ['a number as commit message', 'push', (p) => (p.head_commit.message = 5), /head_commit\.message/],
    ['an object as author name', 'push', (p) => (p.head_commit.author.name = { first: 'a' }), /head_commit\.author\.name/],
    ['an array as author username', 'push', (p) => (p.head_commit.author.username = ['a']), /head_commit\.author\.username/],
    ['a string as repository', 'push', (p) => (p.repository = 'acme/web'), /\brepository\b/],
    ['a number as PR title', 'pull_request', (p) => (p.pull_request.title = 5), /pull_request\.title/],
    ['a number as PR user login', 'pull_request', (p) => (p.pull_request.user.login = 7), /pull_request\.user\.login/],
    ['a string as PR number', 'pull_request', (p) => (p.number = '2'), /\bnumber\b/],
  ];
  for (const [name, event, mutate, field] of wrongTypes) {
    it(`answers ${name} with 202 naming the field and queues nothing`, async () => {
      const before = (await builds(s.url)).length;
      const p = event === 'push' ? payload() : pullRequest();
      mutate(p);
      const r = await postBytes(event, Buffer.from(JSON.stringify(p)));
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.match(r.body.skipped, field);
      assert.equal((await builds(s.url)).length, before);
    });
  }

  const hostile: [string, (p: any) => void, RegExp][] = [
    ['a branch that is an option', (p) => (p.ref = 'refs/heads/--upload-pack=touch /tmp/x'), /not a valid git branch name/],
    ['a branch with a control character', (p) => (p.ref = 'refs/heads/ma\u0001in'), /not a valid git branch name/],
    ['an ext:: clone URL', (p) => (p.repository.clone_url = 'ext::sh -c touch% /tmp/pwned'), /clone URL/],
    ['an option as clone URL', (p) => (p.repository.clone_url = '--config=core.sshCommand=touch /tmp/x'), /clone URL/],
    ['file:///etc as clone URL', (p) => (p.repository.clone_url = 'file:///etc'), /clone URL/],
  ];
  for (const [name, mutate, reason] of hostile) {
    it(`refuses ${name} with 202 and the reason, queueing nothing`, async () => {
      const before = (await builds(s.url)).length;
      const p = payload();
      mutate(p);
      const r = await postBytes('push', Buffer.from(JSON.stringify(p)));
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.match(r.body.skipped, reason);
      assert.equal((await builds(s.url)).length, before);
    });
  }

  let deep = '"bottom"';
  for (let i = 0; i < 5_000; i++) deep = `{"d":${deep}}`;
  const notJson: [string, () => Buffer, Record<string, string>][] = [
    ['a signed body that is not valid UTF-8', () => Buffer.concat([Buffer.from(JSON.stringify(payload()).slice(0, -1) + ',"x":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), {}],
    ['a form body whose payload is not valid UTF-8', () => Buffer.from(`payload=${encodeURIComponent(JSON.stringify(payload()).slice(0, -1) + ',"x":"')}%FF%22%7D`), { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a signed body nested 5000 deep', () => Buffer.from(JSON.stringify(payload()).slice(0, -1) + `,"x":${deep}}`), {}],
  ];
  for (const [name, make, extra] of notJson) {
    it(`refuses ${name} with 400 and queues nothing`, async () => {
      const before = (await builds(s.url)).length;
      const r = await postBytes('push', make(), extra);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(r.body.error, /not JSON/);
      assert.equal((await builds(s.url)).length, before);
    });
  }

  it('answers a request without a signature 401 before its body arrives', async () => {
    const { answer, request } = rawPost(s.url, { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'content-length': 20 * 1024 ** 2 });
    const r = await within(3_000, answer, 'unsigned request');
    request.destroy();
    assert.equal(r.status, 401);
    assert.match(r.body.error, /GITHUB_WEBHOOK_SECRET/);
  });

  it('answers a declared body over 25 MB 413 before it arrives', async () => {
    const headers = { ...signed('push', 'x'), 'content-length': 25 * 1024 ** 2 + 1 };
    const { answer, request } = rawPost(s.url, headers);
    const r = await within(3_000, answer, 'oversized request');
    request.destroy();
    assert.equal(r.status, 413);
    assert.match(r.body.error, /25 MB/);
  });

  it('answers a streamed body that grows past 25 MB 413 and queues nothing', async () => {
    const before = (await builds(s.url)).length;
    const chunk = Buffer.alloc(1024 ** 2, 0x20);
    const { answer, request } = rawPost(s.url, { ...signed('push', 'x'), 'transfer-encoding': 'chunked' });
    let sent = 0;
    const pump = () => {
      while (sent < 27) {
        sent++;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      request.end();
    };
    pump();
    const r = await within(10_000, answer, 'chunked oversized request');
    assert.equal(r.status, 413);
    assert.equal((await builds(s.url)).length, before);
  });

  it('answers a compressed body 415 before reading it', async () => {
    const r = await postBytes('push', Buffer.from(JSON.stringify(payload())), { 'content-encoding': 'gzip' });
    assert.equal(r.status, 415);
    assert.match(r.body.error, /uncompressed/);
  });

  it('still queues a well-formed delivery after all of the above', async () => {
    const r = await postBytes('push', Buffer.from(JSON.stringify(payload())));
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.queued.length, 1);
  });
});

describe('webhook route limits (the route alone, small limits)', () => {
  const limits = { maxBodyBytes: 64 * 1024, maxInFlightBytes: 100 * 1024, readTimeoutMs: 400 };
  const received: Buffer[] = [];
  let server: http.Server;
  let url = '';
  before(async () => {
    const app = express().use(
      webhookRoute(async (d) => {
        received.push(d.body);
        return { status: 202, body: { bytes: d.body.length }, queued: [] };
      }, () => undefined, limits),
    );
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    destroyRawRequests();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const headers = (extra: Record<string, string | number> = {}) => ({ 'x-hub-signature-256': signBody(SECRET, 'x'), 'x-github-event': 'push', 'x-github-delivery': randomUUID(), ...extra });

  it('answers 503 with Retry-After once bodies in flight would pass the budget, keeps nothing, and takes bodies again once they end', async () => {
    const count = received.length;
    const first = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(60 * 1024 - 1, 0x20)]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the first body's bytes arrive before the second's
    const second = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(60 * 1024, 0x20)], true);
    const r = await within(3_000, second.answer, 'second body');
    assert.equal(r.status, 503);
    assert.ok(Number(r.headers['retry-after']) > 0, String(r.headers['retry-after']));
    assert.match(r.body.error, /nothing was kept/);
    first.request.end(Buffer.from(' '));
    assert.equal((await within(3_000, first.answer, 'first body')).status, 202);
    const third = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(60 * 1024, 0x20)], true);
    assert.equal((await within(3_000, third.answer, 'third body')).status, 202);
    assert.deepEqual(received.slice(count).map((b) => b.length), [60 * 1024, 60 * 1024]);
  });

  it('gives the budget back when a sender goes away mid-body', async () => {
    for (let i = 0; i < 3; i++) {
      const gone = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(50 * 1024, 0x20)]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      gone.request.destroy();
    }
    const count = received.length;
    const whole = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(60 * 1024, 0x20)], true);
    // Each abandoned body is settled by its 'close'; at worst by the read deadline.
    assert.equal((await within(3_000, whole.answer, 'body after aborted ones')).status, 202);
    assert.equal(received.length, count + 1);
  });

  it('answers a body that stalls 408 at the read deadline and never hands it on', async () => {
    const count = received.length;
    const started = Date.now();
    const slow = rawPost(url, headers({ 'content-length': 1000 }), [Buffer.alloc(10, 0x20)]);
    const r = await within(3_000, slow.answer, 'stalled body');
    slow.request.destroy();
    assert.equal(r.status, 408);
    assert.ok(Date.now() - started >= limits.readTimeoutMs - 50);
    assert.equal(received.length, count);
  });
});
