import { listen } from '../emulators/http-util.ts';

/** GitHub's OAuth web flow and the signed-in person's own routes, as `githubSignIn` calls them. */
const PEOPLE = /^\/(login\/oauth\/|user$|user\/memberships\/orgs\/)/;

export interface GitHubFront {
  /** the one origin to give Slipway as GITHUB_API_URL */
  readonly url: string;
  /** where REST API calls go (the harness's GitHub emulator): set once it runs */
  api: string | undefined;
  close(): Promise<void>;
}

/**
 * One origin in front of two emulators, as GitHub Enterprise serves its REST API and its OAuth
 * pages from one host: the sign-in flow goes to `oauthUrl` (test/emulators/github-oauth.ts),
 * everything else to `api` (test/emulators/github.ts). Test-only: forwards bytes, changes nothing.
 */
export async function startGitHubFront(oauthUrl: string): Promise<GitHubFront> {
  const front: { url: string; api: string | undefined; close(): Promise<void> } = { url: '', api: undefined, close: async () => {} };
  const { port, close } = await listen(async (req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    const base = PEOPLE.test(path) ? oauthUrl : front.api;
    if (!base) return void res.writeHead(503).end('no GitHub API emulator behind this front yet');
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
    const answer = await fetch(`${base}${req.url}`, { method: req.method, headers, body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : body, redirect: 'manual' });
    const out = Buffer.from(await answer.arrayBuffer());
    const kept = [...answer.headers].filter(([k]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k));
    res.writeHead(answer.status, Object.fromEntries(kept)).end(out);
  });
  front.url = `http://127.0.0.1:${port}`;
  front.close = close;
  return front;
}
