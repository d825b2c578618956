import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { oauthBase } from './oauth-base.ts';
import { cookie, readCookies, signedCookies } from './signed-cookie.ts';

export interface GitHubSignInConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** only members of this organization get in */
  readonly org: string;
  /** GITHUB_API_URL; the OAuth pages are on the same host (github.com for api.github.com) */
  readonly apiUrl: string;
  /** SLIPWAY_PUBLIC_URL: the callback is `<publicUrl>/auth/github/callback`; https makes cookies Secure */
  readonly publicUrl: string;
}

export interface Session {
  readonly login: string;
  /** sent back in `X-CSRF-Token` with every state-changing request the session makes */
  readonly csrf: string;
}

const SESSION = 'slipway_session';
const STATE = 'slipway_oauth_state';
const SESSION_TTL_MS = 8 * 3600_000;
const STATE_TTL_MS = 10 * 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GitHubSignIn {
  /** `/auth/github/login`, `/auth/github/callback`, `GET /auth/session`, `POST /auth/logout` */
  readonly routes: Router;
  /** the signed-in person of this request, if any */
  session(req: Request): Session | undefined;
  /**
   * CSRF protection for every state-changing request a browser can make with the session
   * cookie: it must carry `X-CSRF-Token` equal to the session's token (a header another site's
   * form cannot set) and, when the browser sends one, an `Origin` equal to SLIPWAY_PUBLIC_URL's.
   * Requests without the session cookie (bearer token, webhook signature) are not the browser's.
   */
  readonly csrf: RequestHandler;
}

/**
 * People sign in with GitHub's OAuth web flow (scope `read:org`); only active members of the
 * organization get a session. The session is a signed cookie (HttpOnly, SameSite=Lax, Secure
 * behind https) holding the login and a CSRF token, valid 8 hours; the GitHub token is used once
 * to ask who the person is and whether they are a member, and kept nowhere.
 */
export function githubSignIn(config: GitHubSignInConfig, logger: Logger): GitHubSignIn {
  const cookies = signedCookies(createHmac('sha256', config.clientSecret).update('slipway session cookies v1').digest());
  const secure = config.publicUrl.startsWith('https:');
  const publicOrigin = new URL(config.publicUrl).origin;
  const callback = `${config.publicUrl}/auth/github/callback`;
  const base = oauthBase(config.apiUrl);
  const session = (req: Request): Session | undefined => {
    const s = cookies.open<{ login?: unknown; csrf?: unknown }>(readCookies(req.headers.cookie).get(SESSION));
    return typeof s?.login === 'string' && typeof s.csrf === 'string' ? { login: s.login, csrf: s.csrf } : undefined;
  };

  const router = express.Router();
  router.get('/auth/github/login', (req, res) => {
    const state = randomBytes(24).toString('base64url');
    const next = safeNext(req.query.next);
    res.append('Set-Cookie', cookie(STATE, cookies.seal({ state, next }, STATE_TTL_MS), { maxAgeS: STATE_TTL_MS / 1000, secure }));
    const url = new URL(`${base}/login/oauth/authorize`);
    url.search = new URLSearchParams({ client_id: config.clientId, redirect_uri: callback, scope: 'read:org', state, allow_signup: 'false' }).toString();
    res.redirect(302, url.toString());
  });

  router.get('/auth/github/callback', async (req, res, next) => {
    try {
      const kept = cookies.open<{ state?: unknown; next?: unknown }>(readCookies(req.headers.cookie).get(STATE));
      const state = typeof req.query.state === 'string' ? req.query.state : '';
      const code = typeof req.query.code === 'string' ? req.query.code : '';
      res.append('Set-Cookie', cookie(STATE, '', { maxAgeS: 0, secure }));
      if (typeof kept?.state !== 'string' || !sameText(kept.state, state)) {
        return void res.status(400).type('text').send('Sign-in failed: this answer from GitHub does not belong to a sign-in started here (or it took over 10 minutes). Start again at /auth/github/login.');
      }
      if (!code) return void res.status(400).type('text').send(`Sign-in failed: GitHub sent no code (${String(req.query.error ?? 'no reason given')}).`);
      const token = await exchangeCode(base, config, code, callback);
      if (!token) return void res.status(401).type('text').send('Sign-in failed: GitHub did not accept the sign-in code. Start again at /auth/github/login.');
      const login = await githubLogin(config.apiUrl, token);
      if (!login) return void res.status(401).type('text').send('Sign-in failed: GitHub did not say who you are.');
      if (!(await activeMember(config.apiUrl, token, config.org))) {
        logger.warn({ login, org: config.org }, 'sign-in refused: not a member of the organization');
        return void res.status(403).type('text').send(`Signed in to GitHub as ${login}, but only members of the ${config.org} organization may use this Slipway.`);
      }
      logger.info({ login }, 'signed in');
      const csrf = randomBytes(24).toString('base64url');
      res.append('Set-Cookie', cookie(SESSION, cookies.seal({ login, csrf }, SESSION_TTL_MS), { maxAgeS: SESSION_TTL_MS / 1000, secure }));
      res.redirect(302, typeof kept.next === 'string' ? kept.next : '/');
    } catch (err) {
      next(err);
    }
  });

  const csrf: RequestHandler = (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || !readCookies(req.headers.cookie).has(SESSION)) return next();
    const s = session(req);
    const origin = req.get('origin');
    const sent = req.get('x-csrf-token') ?? '';
    if (s && sameText(sent, s.csrf) && (origin === undefined || origin === publicOrigin)) return next();
    res.status(403).json({ error: 'a state-changing request from the browser needs the X-CSRF-Token header from GET /auth/session, sent from this Slipway\'s own pages' });
  };

  router.get('/auth/session', (req, res) => {
    const s = session(req);
    if (!s) return void res.status(401).json({ error: 'not signed in', signIn: '/auth/github/login' });
    res.set('Cache-Control', 'no-store').json(s);
  });
  router.post('/auth/logout', csrf, (_req, res) => {
    res.append('Set-Cookie', cookie(SESSION, '', { maxAgeS: 0, secure }));
    res.status(204).end();
  });

  return { routes: router, session, csrf };
}

/** Only a path on this site: `/x`, never `//host` or a URL (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function exchangeCode(base: string, config: GitHubSignInConfig, code: string, redirectUri: string): Promise<string | undefined> {
  const res = await fetch(`${base}/login/oauth/access_token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: config.clientId, client_secret: config.clientSecret, code, redirect_uri: redirectUri }),
    signal: AbortSignal.timeout(10_000),
  });
  // GitHub answers a bad code with 200 and `{"error": "bad_verification_code"}`.
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown };
  return res.ok && typeof body.access_token === 'string' ? body.access_token : undefined;
}

async function githubLogin(apiUrl: string, token: string): Promise<string | undefined> {
  const res = await fetch(`${apiUrl}/user`, { headers: githubHeaders(token), signal: AbortSignal.timeout(10_000) });
  const body = (await res.json().catch(() => ({}))) as { login?: unknown };
  return res.ok && typeof body.login === 'string' ? body.login : undefined;
}

/** `GET /user/memberships/orgs/{org}`: 200 with `state: active` for a member; 404/403 otherwise. */
async function activeMember(apiUrl: string, token: string, org: string): Promise<boolean> {
  const res = await fetch(`${apiUrl}/user/memberships/orgs/${encodeURIComponent(org)}`, { headers: githubHeaders(token), signal: AbortSignal.timeout(10_000) });
  const body = (await res.json().catch(() => ({}))) as { state?: unknown };
  return res.status === 200 && body.state === 'active';
}

function githubHeaders(token: string): Record<string, string> {
  return { accept: 'application/vnd.github+json', authorization: `Bearer ${token}`, 'x-github-api-version': '2022-11-28', 'user-agent': 'slipway' };
}
