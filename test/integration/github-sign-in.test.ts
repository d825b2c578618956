import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { startGitHubOAuthEmulator, type GitHubOAuthEmulator } from '../emulators/github-oauth.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { cookieValue, setCookies, signIn } from '../support/sign-in-flow.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const CLIENT_ID = 'Iv1.slipwaytest';
const CLIENT_SECRET = 'oauth-client-secret-0123456789';
const API_TOKEN = 'api-token-for-machines-0123456789';
after(removeTempDirs);

async function start(github: GitHubOAuthEmulator, publicUrl?: (port: number) => string) {
  const dir = makeTempDir('slipway-pipelines-');
  writeFileSync(join(dir, 'web.yml'), 'service: web\nrepository: acme/web\n');
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    REDIS_URL: testEnv().redisUrl,
    GITHUB_WEBHOOK_SECRET: 'webhook-secret',
    GITHUB_API_URL: github.url,
    SLIPWAY_REGISTRY: '127.0.0.1:5000',
    SLIPWAY_PIPELINES_DIR: dir,
    SLIPWAY_REDIS_PREFIX: `signin-${randomUUID()}`,
    SLIPWAY_PUBLIC_URL: publicUrl?.(port) ?? `http://127.0.0.1:${port}`,
    SLIPWAY_API_TOKEN: API_TOKEN,
    SLIPWAY_GITHUB_OAUTH_CLIENT_ID: CLIENT_ID,
    SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET: CLIENT_SECRET,
    SLIPWAY_GITHUB_ORG: 'acme',
  });
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => void (logs.push(String(chunk)), done()) });
  const s = (await startSlipway(config, ['server'], pino({ level: 'debug' }, sink))) as Running & { url: string };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${s.url}/healthz`);
    await res.body?.cancel();
    if (res.ok) break;
    if (Date.now() > deadline) throw new Error('Redis not ready');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { s, logs };
}

describe('GitHub sign-in for people (emulated OAuth flow, real Redis)', () => {
  let github: GitHubOAuthEmulator;
  let s: Running & { url: string };
  let logs: string[];
  before(async () => {
    github = await startGitHubOAuthEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, members: { acme: ['ada'] }, pending: { acme: ['pat'] }, signedInAs: 'ada' });
    ({ s, logs } = await start(github));
  });
  after(async () => {
    await s?.close();
    await github?.close();
  });

  it('sends the browser to GitHub with the client id, the callback, read:org and a state', async () => {
    const res = await fetch(`${s.url}/auth/github/login`, { redirect: 'manual' });
    const to = new URL(res.headers.get('location')!);
    assert.equal(`${to.origin}${to.pathname}`, `${github.url}/login/oauth/authorize`);
    assert.equal(to.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(to.searchParams.get('redirect_uri'), `${s.url}/auth/github/callback`);
    assert.equal(to.searchParams.get('scope'), 'read:org');
    assert.ok((to.searchParams.get('state') ?? '').length >= 32);
    assert.equal(to.searchParams.has('client_secret'), false);
  });

  it('lets a member of the org in: a session cookie (HttpOnly, SameSite=Lax, not Secure on http) and back to where they were', async () => {
    github.signedInAs = 'ada';
    const { callback, session } = await signIn(s.url);
    assert.equal(callback.status, 302);
    assert.equal(callback.headers.get('location'), '/builds/7');
    const raw = setCookies(callback).find((c) => c.startsWith('slipway_session='))!;
    assert.match(raw, /; HttpOnly/);
    assert.match(raw, /; SameSite=Lax/);
    assert.doesNotMatch(raw, /Secure/);
    const api = await fetch(`${s.url}/api/builds`, { headers: { cookie: session! } });
    assert.equal(api.status, 200);
    assert.deepEqual(await api.json(), { builds: [] });
    const me = (await (await fetch(`${s.url}/auth/session`, { headers: { cookie: session! } })).json()) as { login: string; csrf: string };
    assert.equal(me.login, 'ada');
    assert.ok(me.csrf.length >= 32);
    assert.equal((await fetch(`${s.url}/metrics`, { headers: { cookie: session! } })).status, 200);
  });

  for (const [who, why] of [['eve', 'not a member'], ['pat', 'an invitation still pending']] as const) {
    it(`refuses someone who is ${why} with 403 and no session`, async () => {
      github.signedInAs = who;
      const { callback, session } = await signIn(s.url);
      assert.equal(callback.status, 403);
      assert.match(await callback.text(), /only members of the acme organization/);
      assert.equal(session, undefined);
    });
  }

  it('keeps the API closed to anonymous browsers, saying where to sign in, and open to the API token', async () => {
    const res = await fetch(`${s.url}/api/builds`);
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: string; signIn: string };
    assert.equal(body.signIn, '/auth/github/login');
    assert.match(body.error, /sign in at \/auth\/github\/login/);
    assert.equal((await fetch(`${s.url}/api/builds`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status, 200);
  });

  it('refuses a session cookie that was changed or made up', async () => {
    github.signedInAs = 'ada';
    const { session } = await signIn(s.url);
    const [name, value] = session!.split('=') as [string, string];
    const [data, mac] = value.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(data, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, login: 'mallory' })).toString('base64url');
    for (const cookie of [`${name}=${forged}.${mac}`, `${name}=${data}.${'A'.repeat(mac.length)}`, `${name}=${data}`]) {
      const res = await fetch(`${s.url}/api/builds`, { headers: { cookie } });
      assert.equal(res.status, 401, cookie);
      await res.body?.cancel();
    }
  });

  it('refuses a callback whose state was not started in this browser, without exchanging the code', async () => {
    const exchanged = github.exchanges.length;
    const login = await fetch(`${s.url}/auth/github/login`, { redirect: 'manual' });
    const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual' });
    // An attacker's callback link, opened in a browser that has another (or no) sign-in state.
    const other = cookieValue(await fetch(`${s.url}/auth/github/login`, { redirect: 'manual' }), 'slipway_oauth_state')!;
    for (const headers of [{}, { cookie: other }] as Record<string, string>[]) {
      const res = await fetch(authorize.headers.get('location')!, { redirect: 'manual', headers });
      assert.equal(res.status, 400);
      assert.equal(cookieValue(res, 'slipway_session'), undefined);
    }
    assert.equal(github.exchanges.length, exchanged);
  });

  it('never redirects off-site after sign-in', async () => {
    github.signedInAs = 'ada';
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const { callback } = await signIn(s.url, next);
      assert.equal(callback.headers.get('location'), '/', next);
    }
  });

  it('checks CSRF on every state-changing request made with the session: the token header, and the Origin', async () => {
    github.signedInAs = 'ada';
    const { session } = await signIn(s.url);
    const { csrf } = (await (await fetch(`${s.url}/auth/session`, { headers: { cookie: session! } })).json()) as { csrf: string };
    const refused: Record<string, string>[] = [
      { cookie: session! },
      { cookie: session!, 'x-csrf-token': 'x'.repeat(csrf.length) },
      { cookie: session!, 'x-csrf-token': csrf, origin: 'https://evil.example' },
    ];
    for (const path of ['/auth/logout', '/api/builds/1/cancel']) {
      for (const headers of refused) {
        const res = await fetch(`${s.url}${path}`, { method: 'POST', headers });
        assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)}`);
        assert.match(((await res.json()) as { error: string }).error, /X-CSRF-Token/);
      }
    }
    // With its CSRF token the signed-in browser reaches the build action (no build 1 here: 404, not 401/403).
    const action = await fetch(`${s.url}/api/builds/1/cancel`, { method: 'POST', headers: { cookie: session!, 'x-csrf-token': csrf, origin: s.url } });
    assert.equal(action.status, 404);
    assert.match(((await action.json()) as { error: string }).error, /^no build 1$/);
    const out = await fetch(`${s.url}/auth/logout`, { method: 'POST', headers: { cookie: session!, 'x-csrf-token': csrf, origin: s.url } });
    assert.equal(out.status, 204);
    assert.match(setCookies(out).find((c) => c.startsWith('slipway_session='))!, /Max-Age=0/);
  });

  it('keeps the client secret and GitHub tokens out of the log', () => {
    const all = logs.join('');
    assert.ok(all.includes('"login":"ada"'), 'sign-ins are logged');
    assert.equal(all.includes(CLIENT_SECRET), false);
    assert.doesNotMatch(all, /gho_/);
  });
});

describe('GitHub sign-in behind https', () => {
  it('marks its cookies Secure when SLIPWAY_PUBLIC_URL is https', async () => {
    const github = await startGitHubOAuthEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, members: {}, signedInAs: 'ada' });
    const { s } = await start(github, () => 'https://slipway.example.com');
    try {
      const res = await fetch(`${s.url}/auth/github/login`, { redirect: 'manual' });
      assert.match(setCookies(res).find((c) => c.startsWith('slipway_oauth_state='))!, /; Secure/);
      assert.equal(new URL(res.headers.get('location')!).searchParams.get('redirect_uri'), 'https://slipway.example.com/auth/github/callback');
    } finally {
      await s.close();
      await github.close();
    }
  });

  it('refuses a partial sign-in configuration, naming all three variables', () => {
    assert.throws(
      () => loadConfig({ GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: '127.0.0.1:5000', SLIPWAY_GITHUB_OAUTH_CLIENT_ID: CLIENT_ID }),
      /SLIPWAY_GITHUB_OAUTH_CLIENT_ID, SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET and SLIPWAY_GITHUB_ORG/,
    );
  });
});
