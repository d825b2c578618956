// The GitHub REST deployments and deployment statuses endpoints, for the GitHub emulator (github.ts
// routes to it). Follows GitHub's REST reference ("Deployments", "Deployment statuses"): required
// fields and types, the state names, URLs, 404 for an unknown deployment, 409 when the commit's
// required status contexts are not green, and `auto_inactive` as documented (prior non-transient,
// non-production deployments of the environment whose state was `success` get an `inactive` status).
// Exact error texts of schema failures are GitHub's form, the wording unverified.
import { charLength } from './http-util.ts';

export interface RecordedDeploymentStatus {
  id: number; state: string; description: string; environment: string;
  log_url: string; target_url: string; environment_url: string; at: number;
}
export interface RecordedDeployment {
  id: number; owner: string; repo: string; sha: string; ref: string; task: string; environment: string;
  description: string | null; payload: unknown; transient_environment: boolean; production_environment: boolean;
  /** what the request said (undefined: left out) */
  auto_merge?: boolean; required_contexts?: string[];
  statuses: RecordedDeploymentStatus[]; createdAt: string;
}
export type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;
export type Call = (url: URL, raw: string, reply: Reply) => void;

export interface DeploymentsEndpoints {
  readonly deployments: RecordedDeployment[];
  /** the handler of a deployments route, or undefined when the path is none of them */
  match(method: string, path: string): Call | undefined;
}

const DOCS = 'https://docs.github.com/rest/deployments/deployments';
const STATUS_DOCS = 'https://docs.github.com/rest/deployments/statuses';
const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
const SHA_RE = /^[0-9a-f]{40}$/i;
const CREATOR = { login: 'ci-bot', id: 7, type: 'Bot' };
const NOT_FOUND = (docs: string) => ({ message: 'Not Found', documentation_url: docs, status: '404' });

export function createDeploymentsEndpoints(o: {
  base: () => string;
  commitKnown: (owner: string, repo: string, sha: string) => boolean;
  /** the latest commit status state per context of a commit (for `required_contexts`) */
  latestStates: (owner: string, repo: string, sha: string) => Map<string, string>;
}): DeploymentsEndpoints {
  const deployments: RecordedDeployment[] = [];
  let nextDeployment = 1000;
  let nextStatus = 5000;
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const repoUrl = (d: { owner: string; repo: string }) => `${o.base()}/repos/${d.owner}/${d.repo}`;
  const sameRepo = (d: RecordedDeployment, owner: string, repo: string) => d.owner.toLowerCase() === owner.toLowerCase() && d.repo.toLowerCase() === repo.toLowerCase();
  const find = (owner: string, repo: string, id: string) => deployments.find((d) => sameRepo(d, owner, repo) && String(d.id) === id);

  const deploymentJson = (d: RecordedDeployment) => ({
    url: `${repoUrl(d)}/deployments/${d.id}`, id: d.id, node_id: `DE_${Buffer.from(`deployment:${d.id}`).toString('base64')}`,
    sha: d.sha, ref: d.ref, task: d.task, payload: d.payload, original_environment: d.environment, environment: d.environment,
    description: d.description, creator: CREATOR, created_at: d.createdAt, updated_at: d.statuses.at(-1) ? new Date(d.statuses.at(-1)!.at).toISOString().replace(/\.\d{3}Z$/, 'Z') : d.createdAt,
    statuses_url: `${repoUrl(d)}/deployments/${d.id}/statuses`, repository_url: repoUrl(d),
    transient_environment: d.transient_environment, production_environment: d.production_environment, performed_via_github_app: null,
  });
  const statusJson = (d: RecordedDeployment, s: RecordedDeploymentStatus) => ({
    url: `${repoUrl(d)}/deployments/${d.id}/statuses/${s.id}`, id: s.id, node_id: `DES_${Buffer.from(`status:${s.id}`).toString('base64')}`,
    state: s.state, creator: CREATOR, description: s.description, environment: s.environment, target_url: s.target_url,
    created_at: new Date(s.at).toISOString().replace(/\.\d{3}Z$/, 'Z'), updated_at: new Date(s.at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    deployment_url: `${repoUrl(d)}/deployments/${d.id}`, repository_url: repoUrl(d),
    environment_url: s.environment_url, log_url: s.log_url, performed_via_github_app: null,
  });

  function parse(raw: string, docs: string, reply: Reply): Record<string, unknown> | undefined {
    let body: unknown;
    try { body = raw.trim() === '' ? {} : JSON.parse(raw); } catch { body = undefined; }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      reply(400, { message: 'Problems parsing JSON', documentation_url: docs });
      return undefined;
    }
    return body as Record<string, unknown>;
  }

  /** GitHub's JSON-schema check: the first field of the wrong type, or a required one left out. */
  function schemaProblem(b: Record<string, unknown>, required: string[], types: Record<string, (v: unknown) => boolean>, names: Record<string, string>): string | undefined {
    for (const f of required) if (b[f] === undefined) return `"${f}" wasn't supplied.`;
    for (const [f, ok] of Object.entries(types)) {
      if (b[f] !== undefined && !ok(b[f])) return `For 'properties/${f}', ${JSON.stringify(b[f])} is not ${names[f]}.`;
    }
    return undefined;
  }

  function createDeployment(owner: string, repo: string, raw: string, reply: Reply) {
    const b = parse(raw, DOCS, reply);
    if (!b) return;
    const isString = (v: unknown) => typeof v === 'string';
    const problem = schemaProblem(b, ['ref'], {
      ref: isString, task: isString, auto_merge: (v) => typeof v === 'boolean',
      required_contexts: (v) => Array.isArray(v) && v.every(isString),
      payload: (v) => isString(v) || (typeof v === 'object' && v !== null && !Array.isArray(v)),
      environment: isString, description: (v) => v === null || isString(v),
      transient_environment: (v) => typeof v === 'boolean', production_environment: (v) => typeof v === 'boolean',
    }, { ref: 'a string', task: 'a string', auto_merge: 'a boolean', required_contexts: 'an array of strings', payload: 'an object or a string', environment: 'a string', description: 'a string or null', transient_environment: 'a boolean', production_environment: 'a boolean' });
    if (problem) return reply(422, { message: `Invalid request.\n\n${problem}`, documentation_url: DOCS });
    const ref = b.ref as string;
    // The emulator has no branches or tags: only full SHAs of known commits resolve.
    if (!SHA_RE.test(ref) || !o.commitKnown(owner, repo, ref)) return reply(422, { message: `No ref found for: ${ref}`, documentation_url: DOCS });
    const sha = ref.toLowerCase();
    const latest = o.latestStates(owner, repo, sha);
    const required = b.required_contexts === undefined ? [...latest.keys()] : (b.required_contexts as string[]);
    const failing = required.filter((c) => latest.get(c.toLowerCase()) !== 'success').map((c) => ({ context: c, state: latest.get(c.toLowerCase()) ?? 'missing' }));
    if (failing.length > 0) {
      return reply(409, { message: `Conflict: Commit status checks failed for ${ref}.`, errors: [{ contexts: failing, resource: 'Deployment', field: 'required_contexts', code: 'invalid' }], documentation_url: DOCS });
    }
    const environment = (b.environment as string | undefined) ?? 'production';
    const d: RecordedDeployment = {
      id: nextDeployment++, owner, repo, sha, ref, task: (b.task as string | undefined) ?? 'deploy', environment,
      description: (b.description as string | null | undefined) ?? '', payload: b.payload ?? {},
      transient_environment: (b.transient_environment as boolean | undefined) ?? false,
      production_environment: (b.production_environment as boolean | undefined) ?? environment === 'production',
      ...(b.auto_merge !== undefined ? { auto_merge: b.auto_merge as boolean } : {}),
      ...(b.required_contexts !== undefined ? { required_contexts: b.required_contexts as string[] } : {}),
      statuses: [], createdAt: now(),
    };
    deployments.push(d);
    const json = deploymentJson(d);
    reply(201, json, { location: json.url });
  }

  function createStatus(d: RecordedDeployment, raw: string, reply: Reply) {
    const b = parse(raw, STATUS_DOCS, reply);
    if (!b) return;
    const isString = (v: unknown) => typeof v === 'string';
    const problem = schemaProblem(b, ['state'], {
      state: isString, target_url: isString, log_url: isString, description: isString, environment: isString,
      environment_url: isString, auto_inactive: (v) => typeof v === 'boolean',
    }, { state: 'a string', target_url: 'a string', log_url: 'a string', description: 'a string', environment: 'a string', environment_url: 'a string', auto_inactive: 'a boolean' });
    if (problem) return reply(422, { message: `Invalid request.\n\n${problem}`, documentation_url: STATUS_DOCS });
    const errors: { resource: string; code: string; field: string; message?: string }[] = [];
    if (!STATES.includes(b.state as string)) errors.push({ resource: 'DeploymentStatus', code: 'invalid', field: 'state' });
    if (charLength((b.description as string | undefined) ?? '') > 140) errors.push({ resource: 'DeploymentStatus', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' });
    for (const f of ['target_url', 'log_url', 'environment_url'] as const) {
      const v = b[f] as string | undefined;
      if (v !== undefined && v !== '' && !isHttpUrl(v)) errors.push({ resource: 'DeploymentStatus', code: 'custom', field: f, message: `${f} must use http(s) scheme` });
    }
    if (errors.length > 0) return reply(422, { message: 'Validation Failed', errors, documentation_url: STATUS_DOCS });
    const logUrl = (b.log_url as string | undefined) ?? (b.target_url as string | undefined) ?? '';
    const s: RecordedDeploymentStatus = {
      id: nextStatus++, state: b.state as string, description: (b.description as string | undefined) ?? '',
      environment: (b.environment as string | undefined) ?? d.statuses.at(-1)?.environment ?? d.environment,
      log_url: logUrl, target_url: logUrl, environment_url: (b.environment_url as string | undefined) ?? '', at: Date.now(),
    };
    d.statuses.push(s);
    if (s.state === 'success' && b.auto_inactive !== false) inactivatePrior(d, s.environment);
    const json = statusJson(d, s);
    reply(201, json, { location: json.url });
  }

  /** `auto_inactive`: prior non-transient, non-production deployments of the environment that were successful. */
  function inactivatePrior(d: RecordedDeployment, environment: string) {
    for (const p of deployments) {
      if (p.id >= d.id || !sameRepo(p, d.owner, d.repo) || p.transient_environment || p.production_environment) continue;
      const last = p.statuses.at(-1);
      if (!last || last.state !== 'success' || last.environment !== environment) continue;
      p.statuses.push({ ...last, id: nextStatus++, state: 'inactive', description: '', environment_url: '', at: Date.now() });
    }
  }

  /** One page of a list (`per_page` default 30, at most 100) and GitHub's `Link` header to the others. */
  function page<T, J>(all: T[], url: URL, json: (item: T) => J, reply: Reply) {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
    const n = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const to = (p: number) => {
      const u = new URL(url.pathname + url.search, o.base());
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${u}>`;
    };
    const links = [...(n < last ? [`${to(n + 1)}; rel="next"`, `${to(last)}; rel="last"`] : []), ...(n > 1 ? [`${to(1)}; rel="first"`, `${to(Math.min(n - 1, last))}; rel="prev"`] : [])];
    reply(200, all.slice((n - 1) * perPage, n * perPage).map(json), links.length > 0 ? { link: links.join(', ') } : {});
  }

  const ROUTES: [string, RegExp, (g: string[], url: URL, raw: string, reply: Reply) => void][] = [
    ['POST', /^\/repos\/([^/]+)\/([^/]+)\/deployments$/, ([owner, repo], _url, raw, reply) => createDeployment(owner!, repo!, raw, reply)],
    ['GET', /^\/repos\/([^/]+)\/([^/]+)\/deployments$/, ([owner, repo], url, _raw, reply) => {
      const q = (k: string) => url.searchParams.get(k);
      const all = deployments.filter((d) => sameRepo(d, owner!, repo!) && (!q('sha') || d.sha === q('sha')!.toLowerCase())
        && (!q('ref') || d.ref === q('ref')) && (!q('task') || d.task === q('task')) && (!q('environment') || d.environment === q('environment'))).reverse();
      page(all, url, deploymentJson, reply);
    }],
    ['GET', /^\/repos\/([^/]+)\/([^/]+)\/deployments\/([^/]+)$/, ([owner, repo, id], _url, _raw, reply) => {
      const d = find(owner!, repo!, id!);
      return d ? reply(200, deploymentJson(d)) : reply(404, NOT_FOUND(DOCS));
    }],
    ['POST', /^\/repos\/([^/]+)\/([^/]+)\/deployments\/([^/]+)\/statuses$/, ([owner, repo, id], _url, raw, reply) => {
      const d = find(owner!, repo!, id!);
      return d ? createStatus(d, raw, reply) : reply(404, NOT_FOUND(STATUS_DOCS));
    }],
    ['GET', /^\/repos\/([^/]+)\/([^/]+)\/deployments\/([^/]+)\/statuses$/, ([owner, repo, id], url, _raw, reply) => {
      const d = find(owner!, repo!, id!);
      return d ? page([...d.statuses].reverse(), url, (s) => statusJson(d, s), reply) : reply(404, NOT_FOUND(STATUS_DOCS));
    }],
  ];

  return {
    deployments,
    match(method, path) {
      for (const [m, re, run] of ROUTES) {
        const g = re.exec(path);
        if (!g || m !== method) continue;
        let parts: string[];
        try { parts = g.slice(1).map((p) => decodeURIComponent(p)); } catch { return undefined; }
        return (url, raw, reply) => run(parts, url, raw, reply);
      }
      return undefined;
    },
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
