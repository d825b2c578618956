// GitHub as a GitHub App sees it (test-only): App JWTs verified (RS256 with the App's public key,
// `iss`, the `iat`/`exp` window), installation tokens minted that expire and can be revoked,
// `GET /repos/{o}/{r}/installation`, private repositories served over git smart HTTP by Debian's
// `git http-backend` to live tokens only, and every other request (commit statuses) handed to the
// status emulator (github.ts), which refuses anything but a live token. One host and port for the
// API and git, as on GitHub Enterprise: `url` is both GITHUB_API_URL and the clone URLs' origin.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { startGitHubEmulator, type GitHubEmulator } from './github.ts';
import { sendJson } from './http-util.ts';

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';
const DOCS = 'https://docs.github.com/rest';
/** GitHub's leeway for clocks: an `iat` a little in the future is still accepted. */
const SKEW_S = 30;

export interface MintedToken { token: string; installationId: number; expiresAt: number; revoked: boolean }

export interface GitHubAppEmulator {
  /** API base URL and origin of the private repositories' clone URLs */
  readonly url: string;
  readonly appId: string;
  /** the App's private key as GitHub hands it out (PKCS#1 PEM) */
  readonly privateKeyPem: string;
  /** the status emulator behind it: statuses, rejections */
  readonly github: GitHubEmulator;
  readonly minted: MintedToken[];
  /** App JWTs refused, with the reason */
  readonly jwtRefusals: string[];
  /** git requests: path, the status answered */
  readonly gitRequests: { path: string; status: number }[];
  /** repositories (`owner/name`) whose installation was asked for with `GET /repos/{o}/{r}/installation` */
  readonly installationLookups: string[];
  /** serves `bareDir` as private repository `fullName` of installation `installationId`; returns its clone URL */
  addRepository(fullName: string, bareDir: string, installationId?: number): string;
  /** revokes every live installation token (DELETE /installation/token, as the App would) */
  revokeAll(): void;
  isLive(token: string): boolean;
  close(): Promise<void>;
}

export async function startGitHubAppEmulator(options: { appId?: string; tokenTtlMs?: number; fixedToken?: string } = {}): Promise<GitHubAppEmulator> {
  const appId = options.appId ?? '123456';
  const ttl = options.tokenTtlMs ?? 60 * 60_000;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const minted: MintedToken[] = [];
  const jwtRefusals: string[] = [];
  const gitRequests: GitHubAppEmulator['gitRequests'] = [];
  const installationLookups: string[] = [];
  const repositories = new Map<string, { bare: string; installationId: number }>();
  const installations = new Set<number>();
  const isLive = (token: string) => minted.some((m) => m.token === token && !m.revoked && m.expiresAt > Date.now());
  const github = await startGitHubEmulator({ token: options.fixedToken ?? `unused-${randomBytes(8).toString('hex')}`, acceptToken: isLive });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`emulator error: ${String(err)}`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    const method = req.method ?? 'GET';
    const gitPath = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(path);
    if (gitPath) return serveGit(req, res, body, `${gitPath[1]}/${gitPath[2]}`, gitPath[3]!);
    const mint = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (mint && method === 'POST') {
      if (!appAuthorized(req, res)) return;
      const id = Number(mint[1]);
      if (!installations.has(id)) return sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
      const token: MintedToken = { token: `ghs_${randomBytes(18).toString('base64url')}`, installationId: id, expiresAt: Date.now() + ttl, revoked: false };
      minted.push(token);
      return sendJson(res, 201, {
        token: token.token,
        expires_at: new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: { contents: 'read', statuses: 'write', deployments: 'write', metadata: 'read' },
        repository_selection: 'selected',
      });
    }
    const installation = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path);
    if (installation && method === 'GET') {
      if (!appAuthorized(req, res)) return;
      installationLookups.push(`${installation[1]}/${installation[2]}`);
      const repo = repositories.get(`${installation[1]}/${installation[2]}`.toLowerCase());
      if (!repo) return sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
      return sendJson(res, 200, {
        id: repo.installationId, app_id: Number(appId), target_type: 'Organization',
        account: { login: installation[1], type: 'Organization' }, access_tokens_url: `${url}/app/installations/${repo.installationId}/access_tokens`,
        permissions: { contents: 'read', statuses: 'write', deployments: 'write', metadata: 'read' }, events: ['push', 'pull_request'],
      });
    }
    return forward(req, res, body, path);
  }

  /** Verifies the App JWT; answers 401 as GitHub does and returns false when it does not hold. */
  function appAuthorized(req: IncomingMessage, res: ServerResponse): boolean {
    const reason = jwtProblem(req.headers.authorization, appId, publicKey);
    if (reason === undefined) return true;
    jwtRefusals.push(reason);
    sendJson(res, 401, { message: reason, documentation_url: DOCS, status: '401' });
    return false;
  }

  async function serveGit(req: IncomingMessage, res: ServerResponse, body: Buffer, fullName: string, service: string): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    const answer = (status: number, headers: Record<string, string>, text: string) => {
      gitRequests.push({ path, status });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(text);
    };
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [, , password = ''] = /^([^:]*):(.*)$/s.exec(Buffer.from(basic ?? '', 'base64').toString()) ?? [];
    // A private repository: without a live token GitHub asks for credentials.
    if (!basic || !isLive(password)) return answer(401, { 'www-authenticate': 'Basic realm="GitHub"' }, 'Invalid username or token. Password authentication is not supported for Git operations.\n');
    const repo = repositories.get(fullName.toLowerCase());
    if (!repo) return answer(404, {}, 'Repository not found.\n');
    const query = new URL(req.url ?? '/', url).searchParams;
    if (service === 'git-receive-pack' || query.get('service') === 'git-receive-pack') return answer(403, {}, 'Permission to push denied: the token can only read.\n');
    const out = await runBackend(repo.bare, service, req, body);
    const split = out.indexOf('\r\n\r\n') >= 0 ? out.indexOf('\r\n\r\n') : out.indexOf('\n\n');
    const head = out.subarray(0, split).toString();
    const content = out.subarray(split + (out[split] === 0x0d ? 4 : 2));
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head.split(/\r?\n/)) {
      const [name = '', ...value] = line.split(':');
      if (name.toLowerCase() === 'status') status = Number.parseInt(value.join(':').trim(), 10);
      else if (name) headers[name.toLowerCase()] = value.join(':').trim();
    }
    gitRequests.push({ path, status });
    res.writeHead(status, headers);
    res.end(content);
  }

  /** Everything else is the status emulator's, behind the same host. */
  async function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, path: string): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'user-agent', 'content-type', 'accept']) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const search = new URL(req.url ?? '/', url).search;
    const method = req.method ?? 'GET';
    const answer = await fetch(`${github.url}${path}${search}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(body) });
    const out: Record<string, string> = {};
    answer.headers.forEach((v, k) => { if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v; });
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
  }

  return {
    url,
    appId,
    privateKeyPem,
    github,
    minted,
    jwtRefusals,
    gitRequests,
    installationLookups,
    addRepository(fullName, bareDir, installationId = 1) {
      repositories.set(fullName.toLowerCase(), { bare: bareDir, installationId });
      installations.add(installationId);
      return `${url}/${fullName}.git`;
    },
    revokeAll() {
      for (const m of minted) m.revoked = true;
    },
    isLive,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await github.close();
    },
  };
}

/** Why GitHub would refuse this `Authorization` as an App JWT, or undefined when it holds. */
function jwtProblem(authorization: string | undefined, appId: string, publicKey: KeyObject): string | undefined {
  const jwt = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!jwt) return 'A JSON web token could not be decoded';
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  let h: { alg?: string };
  let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
  try {
    h = JSON.parse(Buffer.from(header, 'base64url').toString());
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  } catch {
    return 'A JSON web token could not be decoded';
  }
  if (h.alg !== 'RS256') return `'Expiration time' claim ('exp') and algorithm must be RS256, not ${String(h.alg)}`;
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) {
    return 'A JSON web token could not be decoded';
  }
  const now = Math.floor(Date.now() / 1000);
  if (String(claims.iss) !== appId) return `Integration not found (iss ${String(claims.iss)})`;
  if (typeof claims.iat !== 'number' || claims.iat > now + SKEW_S) return "'Issued at' claim ('iat') must be an Integer representing a time in the past.";
  if (typeof claims.exp !== 'number' || claims.exp <= now) return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.";
  if (claims.exp - claims.iat > 600 || claims.exp > now + 600 + SKEW_S) return "'Expiration time' claim ('exp') is too far in the future";
  return undefined;
}

/** One `git http-backend` run (CGI, argument array, no shell) for a request; its whole output. */
function runBackend(bare: string, service: string, req: IncomingMessage, body: Buffer): Promise<Buffer> {
  const u = new URL(req.url ?? '/', 'http://x');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: dirname(bare),
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${basename(bare)}/${service}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: u.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    CONTENT_LENGTH: String(body.length),
    REMOTE_USER: 'x-access-token',
    REMOTE_ADDR: '127.0.0.1',
  };
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  return new Promise((resolve, reject) => {
    const child = spawn(HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || out.length > 0 ? resolve(Buffer.concat(out)) : reject(new Error(`git http-backend exited ${code}: ${err}`))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
  });
}
