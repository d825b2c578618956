import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { BUILD_QUEUE } from '../../src/queue/jobs.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { pushPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const SECRET = 'webhook-secret';
const REPOSITORY = 'acme/mono';
const SHA = 'c'.repeat(40);
const BEFORE = 'd'.repeat(40);

/** Two services of one monorepo, each with its own paths. */
function pipelinesDir(): string {
  const dir = makeTempDir('slipway-pipelines-');
  writeFileSync(join(dir, 'hello.yml'), `service: hello\nrepository: ${REPOSITORY}\npaths: [services/hello/**]\n`);
  writeFileSync(join(dir, 'web.yml'), `service: web\nrepository: ${REPOSITORY}\npaths: [services/web/**, "**/package.json"]\n`);
  return dir;
}

/** A push of one commit changing `files` on an existing branch, its file lists complete. */
function push(files: string[], over: Record<string, unknown> = {}, message = 'Change things'): string {
  const p = pushPayload({ repository: REPOSITORY, branch: 'main', sha: SHA, message });
  Object.assign(p, { created: false, forced: false, before: BEFORE, commits: [{ ...p.commits[0], id: SHA, message, added: [], removed: [], modified: files }] }, over);
  return JSON.stringify(p);
}

describe('webhook: pushes that do not matter are answered 202 with the reason and queue nothing (real Redis)', () => {
  let s: Running & { url: string };
  let queue: Queue;
  before(async () => {
    const prefix = `filters-${randomUUID()}`;
    const config = loadConfig({
      PORT: String(await freePort()),
      REDIS_URL: testEnv().redisUrl,
      GITHUB_WEBHOOK_SECRET: SECRET,
      SLIPWAY_REGISTRY: '127.0.0.1:5000',
      SLIPWAY_PIPELINES_DIR: pipelinesDir(),
      SLIPWAY_REDIS_PREFIX: prefix,
    });
    s = (await startSlipway(config, ['server'], pino({ level: 'silent' }))) as Running & { url: string };
    // the server's BullMQ prefix (workers/runtime.ts)
    queue = new Queue(BUILD_QUEUE, { connection: { url: testEnv().redisUrl }, prefix: `${prefix}:queue` });
  });
  after(async () => {
    await queue?.close();
    await s?.close();
    removeTempDirs();
  });

  async function post(body: string) {
    const res = await fetch(`${s.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(SECRET, body) },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }
  async function recorded(): Promise<{ service: string; event: { filesListed?: boolean; before?: string; defaultBranch?: string } }[]> {
    return ((await (await fetch(`${s.url}/api/builds`)).json()) as { builds: any[] }).builds;
  }
  const queuedJobs = async () => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);

  it('a skip word in the head commit message (any case, past the first line): 202, no build, no job', async () => {
    const r = await post(push(['services/hello/app.ts'], {}, 'Fix login\n\nDocs only, really. [Skip CI]'));
    assert.equal(r.status, 202);
    assert.equal(r.body.skipped, `commit ${SHA.slice(0, 7)} says [skip ci] in its message; nothing built`);
    assert.deepEqual(await recorded(), []);
    assert.equal(await queuedJobs(), 0);
  });

  it('complete file lists outside every pipeline\'s paths: 202 naming the paths, no build, no job', async () => {
    const r = await post(push(['docs/intro.md', 'services/hello-old/x.ts']));
    assert.equal(r.status, 202);
    assert.match(r.body.skipped, /no file in paths \(services\/hello\/\*\*\) changed since ddddddd/);
    assert.match(r.body.skipped, /no file in paths \(services\/web\/\*\*, \*\*\/package\.json\) changed/);
    assert.deepEqual(await recorded(), []);
    assert.equal(await queuedJobs(), 0);
  });

  it('complete file lists touching one service: only that one is queued, marked as decided', async () => {
    const r = await post(push(['services/web/package.json']));
    assert.equal(r.status, 202);
    assert.deepEqual(r.body.queued.map((b: { service: string }) => b.service), ['web']);
    const builds = await recorded();
    assert.deepEqual(builds.map((b) => [b.service, b.event.filesListed, b.event.before]), [['web', true, BEFORE]]);
    assert.equal(await queuedJobs(), 1);
  });

  it('a new branch cannot be decided from its lists: both are queued for the worker to decide, with the default branch', async () => {
    const r = await post(push(['docs/intro.md'], { created: true, before: '0'.repeat(40), ref: 'refs/heads/feature/x' }));
    assert.equal(r.status, 202);
    assert.deepEqual(r.body.queued.map((b: { service: string }) => b.service).sort(), ['hello', 'web']);
    const fresh = (await recorded()).filter((b) => b.event.filesListed === undefined);
    assert.equal(fresh.length, 2);
    for (const b of fresh) {
      assert.equal(b.event.before, undefined);
      assert.equal(b.event.defaultBranch, 'master'); // GitHub's example repository
    }
    assert.equal(await queuedJobs(), 3);
  });
});
