// Local emulator of the GitHub REST commit-status endpoints (reference: shared/reference/apis.md §2),
// and of deployments and deployment statuses (github-deployments.ts).
// Enforces what the real service enforces; use its `url` as Octokit's `baseUrl`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { charLength, listen, pollUntil, sendJson } from './http-util.ts';
import { createDeploymentsEndpoints, type RecordedDeployment } from './github-deployments.ts';

export interface RecordedStatus { owner: string; repo: string; sha: string; state: string; context: string; description?: string; target_url?: string; at: number }
export interface GitHubEmulator {
  url: string;
  statuses: RecordedStatus[];
  /** deployments created, oldest first, each with its statuses */
  deployments: RecordedDeployment[];
  waitForDeployments(pred: (d: RecordedDeployment[]) => boolean, timeoutMs?: number): Promise<void>;
  rejected: { status: number; body: unknown; path: string }[];
  knownCommits: Set<string>;
  failNext(status: 403 | 429 | 500, opts?: { retryAfter?: number; message?: string; primary?: boolean }): void;
  /**
   * Every status create fails until `recover()`: 500 with GitHub's JSON error body, 502/503 with the
   * HTML page its front end serves when the API behind it is down (no JSON, no rate-limit headers).
   */
  outage(status: 500 | 502 | 503): void;
  recover(): void;
  /** GitHub answering slowly: the next request (any endpoint) waits unanswered until `answer()`; `arrived` resolves when it came */
  holdNext(): { arrived: Promise<void>; answer(): void };
  latest(owner: string, repo: string, sha: string): Map<string, RecordedStatus>;
  waitFor(pred: (s: RecordedStatus[]) => boolean, timeoutMs?: number): Promise<void>;
  /**
   * Waits (bounded) for the first final (not pending) status of `sha` in `context` recorded at or
   * after `since` (ms; default: any) and returns it. Slipway posts a status after it writes the
   * record, so a test that saw the record final waits here before it reads statuses.
   */
  finalStatus(sha: string, context: string, timeoutMs?: number, since?: number): Promise<RecordedStatus>;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';
const CREATE_DOCS = 'https://docs.github.com/rest/commits/statuses#create-a-commit-status';
const RATE_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
const STATES = ['error', 'failure', 'pending', 'success'];
const SHA_RE = /^[0-9a-f]{40}$/i;
const MAX_PER_CONTEXT = 1000;
const RATE_LIMIT = 5000;
const CREATOR = { login: 'ci-bot', id: 7, type: 'Bot' };
const NOT_FOUND = { message: 'Not Found', documentation_url: DOCS, status: '404' };
const NO_UA = {
  message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
  documentation_url: `${DOCS}/overview/resources-in-the-rest-api#user-agent-required`,
  status: '403',
};
const validation = (field: string | undefined, message: string) => ({
  resource: 'Status', code: 'custom', ...(field ? { field } : {}), message,
});

interface Stored { id: number; createdAt: string; rec: RecordedStatus }
type Route = { kind: 'create' | 'combined' | 'list'; owner: string; repo: string; ref: string };
type Fail = { status: 403 | 429 | 500; retryAfter?: number; message?: string; primary?: boolean };

const ROUTES: [string, RegExp, Route['kind']][] = [
  ['POST', /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([^/]+)$/, 'create'],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/status$/, 'combined'],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/, 'list'],
];

function matchRoute(method: string, path: string): Route | undefined {
  for (const [m, re, kind] of ROUTES) {
    const g = re.exec(path);
    // A known path with the wrong method is a 404 on GitHub, same as an unknown path.
    if (g && m === method) {
      try {
        return { kind, owner: decodeURIComponent(g[1]!), repo: decodeURIComponent(g[2]!), ref: decodeURIComponent(g[3]!) };
      } catch { return undefined; }
    }
  }
  return undefined;
}

/** `acceptToken` accepts more tokens than `token` (a GitHub App's live installation tokens: github-app.ts). */
export async function startGitHubEmulator(opts: { token: string; commits?: string[]; acceptToken?: (token: string) => boolean }): Promise<GitHubEmulator> {
  const statuses: RecordedStatus[] = [];
  const rejected: GitHubEmulator['rejected'] = [];
  const knownCommits = new Set(opts.commits ?? []);
  const store: Stored[] = [];
  const resetAt = Math.floor(Date.now() / 1000) + 3600;
  let used = 0;
  let nextId = 1;
  let pendingFail: Fail | undefined;
  let down: 500 | 502 | 503 | undefined;
  let hold: { arrived(): void; answered: Promise<void> } | undefined;
  let base = '';

  const rateHeaders = (exhausted = false): Record<string, string> => ({
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': String(exhausted ? 0 : Math.max(0, RATE_LIMIT - used)),
    'x-ratelimit-used': String(exhausted ? RATE_LIMIT : used),
    'x-ratelimit-reset': String(resetAt),
    'x-ratelimit-resource': 'core',
    'x-github-request-id': `EMU:${used.toString(16).padStart(4, '0')}`,
  });
  const sameRepo = (r: RecordedStatus, owner: string, repo: string, sha: string) =>
    r.owner.toLowerCase() === owner.toLowerCase() && r.repo.toLowerCase() === repo.toLowerCase() && r.sha === sha.toLowerCase();
  const commitKnown = (owner: string, repo: string, sha: string) => {
    if (knownCommits.size === 0) return true;
    const key = `${owner}/${repo}@${sha}`.toLowerCase();
    return [...knownCommits].some((k) => k.toLowerCase() === key);
  };
  const toJson = (s: Stored) => ({
    url: `${base}/repos/${s.rec.owner}/${s.rec.repo}/statuses/${s.rec.sha}`,
    avatar_url: null, id: s.id, node_id: `SC_${Buffer.from(`status:${s.id}`).toString('base64')}`,
    state: s.rec.state, description: s.rec.description ?? null, target_url: s.rec.target_url ?? null,
    context: s.rec.context, created_at: s.createdAt, updated_at: s.createdAt, creator: CREATOR,
  });
  const latestStored = (owner: string, repo: string, sha: string): Map<string, Stored> => {
    const m = new Map<string, Stored>();
    for (const s of store) if (sameRepo(s.rec, owner, repo, sha)) m.set(s.rec.context.toLowerCase(), s);
    return m;
  };

  function failResponse(f: Fail): [number, unknown, Record<string, string>] {
    const h = rateHeaders(f.primary === true);
    if (f.retryAfter !== undefined) h['retry-after'] = String(f.retryAfter);
    if (f.status === 500) return [500, { message: f.message ?? 'Server Error', documentation_url: DOCS }, h];
    const message = f.message ?? (f.primary
      ? 'API rate limit exceeded for user ID 7. If you reach out to GitHub Support for help, please include the request ID EMU:0001.'
      : 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID EMU:0001.');
    const anchor = f.primary ? '#about-the-primary-rate-limit' : '#about-secondary-rate-limits';
    return [f.status, { message, documentation_url: RATE_DOCS + anchor }, h];
  }

  /** Resolve {ref} for the read endpoints: only full SHAs are known (the emulator has no branches). */
  function resolveRef(r: Route): string | undefined {
    return SHA_RE.test(r.ref) && commitKnown(r.owner, r.repo, r.ref) ? r.ref.toLowerCase() : undefined;
  }

  function create(r: Route, raw: string, reply: (s: number, b: unknown, h?: Record<string, string>) => void): void {
    let body: unknown;
    try { body = raw.trim() === '' ? {} : JSON.parse(raw); } catch { body = undefined; }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply(400, { message: 'Problems parsing JSON', documentation_url: CREATE_DOCS });
    }
    const b = body as Record<string, unknown>;
    for (const f of ['description', 'target_url', 'context'] as const) {
      if (b[f] !== undefined && b[f] !== null && typeof b[f] !== 'string') {
        // Schema-level type error; exact wording unverified.
        return reply(422, { message: `Invalid request.\n\nFor 'properties/${f}', ${JSON.stringify(b[f])} is not a string or null.`, documentation_url: CREATE_DOCS });
      }
    }
    if (!SHA_RE.test(r.ref)) {
      return reply(422, { message: 'Validation Failed', errors: [validation('sha', 'sha must be a 40 character SHA1')], documentation_url: CREATE_DOCS });
    }
    if (!commitKnown(r.owner, r.repo, r.ref)) {
      return reply(422, { message: `No commit found for SHA: ${r.ref}`, documentation_url: CREATE_DOCS });
    }
    const errors = [];
    if (typeof b.state !== 'string' || !STATES.includes(b.state)) errors.push(validation('state', 'state is not included in the list'));
    const description = typeof b.description === 'string' ? b.description : undefined;
    if (description !== undefined && charLength(description) > 140) {
      errors.push(validation('description', 'description is too long (maximum is 140 characters)'));
    }
    if (errors.length > 0) return reply(422, { message: 'Validation Failed', errors, documentation_url: CREATE_DOCS });
    const context = typeof b.context === 'string' && b.context !== '' ? b.context : 'default';
    const sha = r.ref.toLowerCase();
    const sameCtx = store.filter((s) => sameRepo(s.rec, r.owner, r.repo, sha) && s.rec.context.toLowerCase() === context.toLowerCase());
    if (sameCtx.length >= MAX_PER_CONTEXT) {
      return reply(422, {
        message: 'Validation Failed',
        errors: [validation(undefined, 'This SHA and context has reached the maximum number of statuses.')],
        documentation_url: CREATE_DOCS,
      });
    }
    const rec: RecordedStatus = { owner: r.owner, repo: r.repo, sha, state: b.state as string, context, at: Date.now() };
    if (description !== undefined) rec.description = description;
    if (typeof b.target_url === 'string') rec.target_url = b.target_url;
    const stored: Stored = { id: nextId++, createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), rec };
    store.push(stored);
    statuses.push(rec);
    const json = toJson(stored);
    reply(201, json, { location: json.url });
  }

  function combined(r: Route, sha: string) {
    const latest = [...latestStored(r.owner, r.repo, sha).values()];
    const states = latest.map((s) => s.rec.state);
    const state = states.some((s) => s === 'error' || s === 'failure') ? 'failure'
      : states.length === 0 || states.includes('pending') ? 'pending' : 'success';
    const repoUrl = `${base}/repos/${r.owner}/${r.repo}`;
    return {
      state, sha, total_count: latest.length, statuses: latest.map(toJson),
      repository: { id: 1, name: r.repo, full_name: `${r.owner}/${r.repo}`, owner: { login: r.owner }, url: repoUrl },
      commit_url: `${repoUrl}/commits/${sha}`, url: `${repoUrl}/commits/${sha}/status`,
    };
  }

  function list(r: Route, sha: string, url: URL, reply: (s: number, b: unknown, h?: Record<string, string>) => void) {
    const all = store.filter((s) => sameRepo(s.rec, r.owner, r.repo, sha)).reverse();
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const headers: Record<string, string> = {};
    if (page * perPage < all.length) {
      const next = new URL(url.pathname, base);
      next.searchParams.set('per_page', String(perPage));
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.href}>; rel="next"`;
    }
    reply(200, all.slice((page - 1) * perPage, page * perPage).map(toJson), headers);
  }

  const deployments = createDeploymentsEndpoints({
    base: () => base, commitKnown,
    latestStates: (owner, repo, sha) => new Map([...latestStored(owner, repo, sha)].map(([k, s]) => [k, s.rec.state])),
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const held = hold;
    hold = undefined;
    if (held) return void (held.arrived(), held.answered.then(() => handle(req, res, raw)));
    used++;
    const url = new URL(req.url ?? '/', base);
    const reply = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      if (status >= 400) rejected.push({ status, body, path: url.pathname });
      sendJson(res, status, body, { ...rateHeaders(), ...extra });
    };
    if (!req.headers['user-agent']) return reply(403, NO_UA);
    const auth = req.headers.authorization;
    const m = auth === undefined ? null : /^(bearer|token)\s+(\S+)\s*$/i.exec(auth);
    if (auth !== undefined && m?.[2] !== opts.token && !(m?.[2] !== undefined && opts.acceptToken?.(m[2]))) {
      return reply(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    const deploymentCall = deployments.match(req.method ?? 'GET', url.pathname);
    const route = deploymentCall ? undefined : matchRoute(req.method ?? 'GET', url.pathname);
    if (!route && !deploymentCall) return reply(404, NOT_FOUND);
    if (auth === undefined) return reply(401, { message: 'Requires authentication', documentation_url: DOCS, status: '401' });
    // An outage takes the deployments endpoints down too; failNext stays about commit statuses.
    if (deploymentCall && down === undefined) return deploymentCall(url, raw, reply);
    if (!route || route.kind === 'create') {
      if (down === 500) { const [s, b, h] = failResponse({ status: 500 }); return reply(s, b, h); }
      if (down !== undefined) {
        rejected.push({ status: down, body: 'unicorn', path: url.pathname });
        res.writeHead(down, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end('<!DOCTYPE html><html><head><title>Unicorn! &middot; GitHub</title></head><body>No server is currently available to service your request.</body></html>');
      }
      const fail = pendingFail;
      pendingFail = undefined;
      if (fail) { const [s, b, h] = failResponse(fail); return reply(s, b, h); }
      return create(route!, raw, reply);
    }
    const sha = resolveRef(route);
    if (sha === undefined) return reply(422, { message: `No commit found for SHA: ${route.ref}`, documentation_url: DOCS });
    if (route.kind === 'combined') return reply(200, combined(route, sha));
    return list(route, sha, url, reply);
  }

  function waitFor(pred: (s: RecordedStatus[]) => boolean, timeoutMs = 2000): Promise<void> {
    const describe = () => statuses.map((s) => `${s.owner}/${s.repo}@${s.sha.slice(0, 7)} ${s.context}=${s.state}`).join(', ') || '(no statuses)';
    return pollUntil(() => statuses, pred, timeoutMs, describe);
  }

  const srv = await listen(handle);
  base = `http://127.0.0.1:${srv.port}`;
  return {
    url: base,
    statuses,
    deployments: deployments.deployments,
    waitForDeployments(pred, timeoutMs = 2000) {
      const describe = () => deployments.deployments.map((d) => `${d.id} ${d.environment}@${d.sha.slice(0, 7)}: ${d.statuses.map((s) => s.state).join(' → ') || '(no statuses)'}`).join(', ') || '(no deployments)';
      return pollUntil(() => deployments.deployments, pred, timeoutMs, describe);
    },
    rejected,
    knownCommits,
    failNext(status, o = {}) { pendingFail = { status, ...o }; },
    outage(status) { down = status; },
    recover() { down = undefined; },
    holdNext() {
      let arrived!: () => void, answer!: () => void;
      const came = new Promise<void>((r) => (arrived = r));
      hold = { arrived, answered: new Promise<void>((r) => (answer = r)) };
      return { arrived: came, answer };
    },
    latest(owner, repo, sha) {
      return new Map([...latestStored(owner, repo, sha)].map(([k, s]) => [k, s.rec]));
    },
    waitFor,
    async finalStatus(sha, context, timeoutMs = 30_000, since = 0) {
      const final = () => statuses.find((s) => s.sha === sha && s.context === context && s.state !== 'pending' && s.at >= since);
      await waitFor(() => final() !== undefined, timeoutMs);
      return final()!;
    },
    close: srv.close,
  };
}
