import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signBody } from '../../src/webhook/verify-signature.ts';
import type { Running } from '../../workers/slipway.ts';
import { pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { destroyRawRequests, rawPost, within } from '../support/raw-webhook-post.ts';
import { removeTempDirs } from '../support/temp-dir.ts';
import { builds, redisReady, SECRET, serverOnly, SHA } from '../support/webhook-server.ts';

after(removeTempDirs); // once every server of this file is closed

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
