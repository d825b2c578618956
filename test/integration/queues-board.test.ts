import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { buildJobId } from '../../src/queue/jobs.ts';
import { createEnqueuer } from '../../src/queue/queues.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { startGitHubOAuthEmulator, type GitHubOAuthEmulator } from '../emulators/github-oauth.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { signIn } from '../support/sign-in-flow.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const TOKEN = 'queues-api-token-0123456789';
const OAUTH = { clientId: 'Iv1.queues', clientSecret: 'queues-oauth-secret-0123456789' };
after(removeTempDirs);

/** A server (no worker: jobs stay on the queue) with the API token and GitHub sign-in, and a build job queued by the real Enqueuer. */
async function start(github: GitHubOAuthEmulator) {
  const dir = makeTempDir('slipway-pipelines-');
  writeFileSync(join(dir, 'web.yml'), 'service: web\nrepository: acme/web\n');
  const port = await freePort();
  const prefix = `queues-${randomUUID()}`;
  const config = loadConfig({
    PORT: String(port), REDIS_URL: testEnv().redisUrl, GITHUB_WEBHOOK_SECRET: 'webhook-secret', GITHUB_API_URL: github.url,
    SLIPWAY_REGISTRY: '127.0.0.1:5000', SLIPWAY_PIPELINES_DIR: dir, SLIPWAY_REDIS_PREFIX: prefix, SLIPWAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    SLIPWAY_API_TOKEN: TOKEN, SLIPWAY_GITHUB_OAUTH_CLIENT_ID: OAUTH.clientId, SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET: OAUTH.clientSecret, SLIPWAY_GITHUB_ORG: 'acme',
  });
  const s = (await startSlipway(config, ['server'], pino({ level: 'silent' }))) as Running & { url: string };
  const redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
  const enqueuer = createEnqueuer(redis, `${prefix}:queue`);
  await enqueuer.enqueueBuild({ buildId: '4711' });
  return { s, close: async () => void (await Promise.all([s.close(), enqueuer.close()]), await redis.quit()) };
}

const bearer = { authorization: `Bearer ${TOKEN}` };

describe('/queues: Bull Board over the build and deploy queues, behind sign-in and the API token', () => {
  let github: GitHubOAuthEmulator;
  let app: Awaited<ReturnType<typeof start>>;
  before(async () => {
    github = await startGitHubOAuthEmulator({ ...OAUTH, members: { acme: ['ada'] }, signedInAs: 'ada' });
    app = await start(github);
  });
  after(async () => {
    await app?.close();
    await github?.close();
  });

  it('refuses anonymous access: the board API answers 401, a wrong token 401, and a browser is sent to sign in', async () => {
    const anonymous = await fetch(`${app.s.url}/queues/api/queues`);
    assert.equal(anonymous.status, 401);
    assert.equal((await fetch(`${app.s.url}/queues/api/queues`, { headers: { authorization: 'Bearer not-the-token-0123456789' } })).status, 401);
    const page = await fetch(`${app.s.url}/queues`, { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), '/auth/github/login?next=%2Fqueues');
    const script = await fetch(`${app.s.url}/queues/static/js/main.js`, { redirect: 'manual' });
    assert.equal(script.status, 401, 'even its static files need credentials');
  });

  it('lists a real queued build job, by token, with both queues named', async () => {
    const res = await fetch(`${app.s.url}/queues/api/queues?activeQueue=build&status=waiting&page=1&jobsPerPage=10`, { headers: bearer });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { queues: { name: string; readOnlyMode: boolean; counts: Record<string, number>; jobs: { id: string; data: unknown }[] }[] };
    assert.deepEqual(body.queues.map((q) => q.name).sort(), ['build', 'deploy', 'preview']);
    const build = body.queues.find((q) => q.name === 'build')!;
    assert.equal(build.counts.waiting, 1);
    assert.deepEqual(build.jobs.map((j) => [j.id, j.data]), [[buildJobId('4711'), { buildId: '4711' }]]);
    assert.equal(build.readOnlyMode, true);
  });

  it('serves the board page to a signed-in person, with no off-site font link and a same-site CSP', async () => {
    const { session } = await signIn(app.s.url, '/queues');
    assert.ok(session);
    const res = await fetch(`${app.s.url}/queues`, { headers: { cookie: session, accept: 'text/html' } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<title>Slipway queues<\/title>/);
    assert.doesNotMatch(html, /fonts\.googleapis\.com/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  it('is read-only: a job cannot be retried or removed from the board, even with the token', async () => {
    const res = await fetch(`${app.s.url}/queues/api/queues/build/${buildJobId('4711')}/clean`, { method: 'PUT', headers: bearer });
    assert.equal(res.status, 405);
    const after = (await (await fetch(`${app.s.url}/queues/api/queues?activeQueue=build&status=waiting`, { headers: bearer })).json()) as { queues: { name: string; counts: Record<string, number> }[] };
    assert.equal(after.queues.find((q) => q.name === 'build')!.counts.waiting, 1);
  });
});
