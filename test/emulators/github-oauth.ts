// GitHub's OAuth web flow for people, emulated (test-only code): the authorize page (the person
// is already signed in to GitHub as `signedInAs` and approves at once), the code exchange, `GET
// /user` and `GET /user/memberships/orgs/{org}`. Shapes as GitHub's: a bad code is 200 with
// `{"error":"bad_verification_code"}`; a non-member's membership is 404.
import { randomBytes } from 'node:crypto';
import { listen, sendJson, sendText } from './http-util.ts';

export interface GitHubOAuthEmulator {
  /** the origin: OAuth pages and the REST API both live here (as for GitHub Enterprise) */
  readonly url: string;
  /** who the browser is signed in to GitHub as; the next authorize approves for them */
  signedInAs: string;
  /** every code exchange asked for, with what it was given */
  readonly exchanges: { client_id?: string; client_secret?: string; code?: string; redirect_uri?: string }[];
  close(): Promise<void>;
}

export async function startGitHubOAuthEmulator(o: {
  clientId: string;
  clientSecret: string;
  /** org → its active members */
  members: Record<string, string[]>;
  /** org → members whose invitation is still pending */
  pending?: Record<string, string[]>;
  signedInAs: string;
}): Promise<GitHubOAuthEmulator> {
  const codes = new Map<string, { login: string; redirectUri: string; expires: number }>();
  const tokens = new Map<string, string>();
  const emulator = { url: '', signedInAs: o.signedInAs, exchanges: [] as GitHubOAuthEmulator['exchanges'], close: async () => {} };
  const { port, close } = await listen((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const redirect = url.searchParams.get('redirect_uri');
      if (url.searchParams.get('client_id') !== o.clientId || !redirect) return sendText(res, 404, 'unknown OAuth App');
      const code = randomBytes(10).toString('hex');
      codes.set(code, { login: emulator.signedInAs, redirectUri: redirect, expires: Date.now() + 10 * 60_000 });
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return void res.end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const p = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(body));
      emulator.exchanges.push(p);
      if (p.client_id !== o.clientId || p.client_secret !== o.clientSecret) return sendJson(res, 200, { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' });
      const c = p.code ? codes.get(p.code) : undefined;
      if (p.code) codes.delete(p.code); // a code is good once
      if (!c || c.expires < Date.now() || c.redirectUri !== p.redirect_uri) return sendJson(res, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      const token = `gho_${randomBytes(18).toString('hex')}`;
      tokens.set(token, c.login);
      return sendJson(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:org' });
    }
    const login = tokens.get((req.headers.authorization ?? '').replace(/^(Bearer|token) /i, ''));
    if (!login) return sendJson(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (req.method === 'GET' && url.pathname === '/user') return sendJson(res, 200, { login, id: 1, type: 'User' });
    const m = /^\/user\/memberships\/orgs\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const org = decodeURIComponent(m[1]!);
      const state = o.members[org]?.includes(login) ? 'active' : o.pending?.[org]?.includes(login) ? 'pending' : undefined;
      if (!state) return sendJson(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user' });
      return sendJson(res, 200, { state, role: 'member', organization: { login: org }, user: { login } });
    }
    sendJson(res, 404, { message: 'Not Found' });
  });
  emulator.url = `http://127.0.0.1:${port}`;
  emulator.close = close;
  return emulator;
}
