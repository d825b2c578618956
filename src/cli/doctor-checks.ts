import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { pack } from 'tar-fs';
import type { Config } from '../config/config.ts';
import type { RegistryCredentials } from '../core/ports/registry-credentials.ts';
import { readJsonStream } from '../docker/json-stream.ts';
import { authConfig } from '../docker/registry-auth.ts';
import { appPrivateKey, signAppJwt } from '../github/app-jwt.ts';
import { connectRedis, describeRedisTarget } from '../store/redis-connection.ts';
import { askSentinels } from './doctor-sentinels.ts';

export const TIMEOUT_MS = 5_000;

/** One line of `slipway doctor`: ok (with what it found), a failure (with what to fix), or skipped. */
export interface CheckResult {
  readonly name: string;
  readonly outcome: 'ok' | 'fail' | 'skip';
  readonly detail: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, outcome: 'ok', detail });
export const fail = (name: string, detail: string): CheckResult => ({ name, outcome: 'fail', detail });
const skip = (name: string, detail: string): CheckResult => ({ name, outcome: 'skip', detail });
export const message = (err: unknown) => (err instanceof Error ? err.message : String(err)) || String(err);

/** A check that throws is a failure saying why; a check that hangs fails after its time. */
export async function guarded(name: string, run: () => Promise<CheckResult>, timeoutMs = TIMEOUT_MS * 3): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve(fail(name, `no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([run().catch((err: unknown) => fail(name, message(err))), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `INFO` lines → field map. */
function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/**
 * Redis answers; AOF is on (a restart loses at most a second) and keys are never evicted (queues
 * would vanish). Behind Sentinel, every sentinel is asked which primary it names first: the line
 * says which, and fails when none answers, when they know no such primary, or when one is down.
 */
export function checkRedis(config: Config): Promise<CheckResult> {
  const name = 'Redis';
  let where = describeRedisTarget(config);
  return guarded(name, async () => {
    const sentinel = config.redisSentinel;
    const sentinelProblems: string[] = [];
    if (sentinel) {
      const answers = await askSentinels(sentinel.sentinels, sentinel.name, TIMEOUT_MS);
      if (!answers.primary) return fail(name, `${where}: no sentinel names a primary: ${answers.problems.join('; ')}`);
      where = `${where}: primary ${answers.primary} (named by ${answers.agreeing} of ${sentinel.sentinels.length} sentinels)`;
      sentinelProblems.push(...answers.problems);
    }
    const redis = connectRedis(config, { lazyConnect: true, connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    let cause: string | undefined;
    redis.on('error', (err: Error) => void (cause ??= err.message));
    try {
      await redis.connect();
      const info = infoFields(await redis.info('everything'));
      const version = info.get('redis_version') ?? 'unknown version';
      const problems: string[] = [...sentinelProblems];
      if (info.get('aof_enabled') !== '1') problems.push('append-only file is off: set `appendonly yes` (and `appendfsync everysec`), or a restart loses queued builds');
      const policy = info.get('maxmemory_policy');
      if (policy !== 'noeviction') problems.push(`maxmemory-policy is ${policy ?? 'unknown'}: set \`maxmemory-policy noeviction\`, or Redis may evict queued jobs and build records`);
      if (problems.length) return fail(name, `${where}, Redis ${version}: ${problems.join('; ')}`);
      return ok(name, `${where}, Redis ${version}, AOF on (appendfsync ${info.get('aof_fsync') ?? 'everysec'}), noeviction`);
    } catch (err) {
      return fail(name, `cannot reach ${where}: ${cause ?? message(err)}`);
    } finally {
      redis.disconnect();
    }
  });
}

/** The Docker engine answers a ping and says its version. */
export function checkDocker(config: Config, docker: Docker): Promise<CheckResult> {
  const name = 'Docker engine';
  const where = `${config.dockerHost ?? 'unix:///var/run/docker.sock'} (DOCKER_HOST)`;
  return guarded(name, async () => {
    try {
      await docker.ping();
      const v = await docker.version();
      return ok(name, `${where}, Docker ${v.Version} (API ${v.ApiVersion})`);
    } catch (err) {
      return fail(name, `cannot reach ${where}: ${message(err)}`);
    }
  });
}

/** A tiny image (one small file) imported into the engine as `repository:tag`. */
async function importTinyImage(docker: Docker, repository: string, tag: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-doctor-'));
  try {
    writeFileSync(join(dir, 'slipway-doctor'), `pushed by slipway doctor at ${new Date().toISOString()}\n`);
    const stream = (await docker.importImage(pack(dir) as unknown as NodeJS.ReadableStream, { repo: repository, tag } as never)) as unknown as AsyncIterable<Buffer>;
    await readJsonStream(stream, () => {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pushes a tiny image to SLIPWAY_REGISTRY with the configured credentials and pulls it back. */
export function checkRegistry(config: Config, docker: Docker, credentials: RegistryCredentials): Promise<CheckResult> {
  const name = 'Registry';
  const where = `${config.registry.address} (SLIPWAY_REGISTRY, auth ${config.registry.auth})`;
  return guarded(
    name,
    async () => {
      const repository = `${config.registry.address}/slipway-doctor`;
      const tag = `check-${randomBytes(4).toString('hex')}`;
      const ref = `${repository}:${tag}`;
      let step = 'asking for credentials';
      try {
        const auth = authConfig(await credentials.credentials());
        step = 'making a test image in the engine';
        await importTinyImage(docker, repository, tag);
        step = 'pushing';
        await readJsonStream(await docker.getImage(repository).push({ tag, authconfig: auth }), () => {});
        await docker.getImage(ref).remove({ force: true });
        step = 'pulling';
        await readJsonStream(await docker.pull(ref, { authconfig: auth }), () => {});
        return ok(name, `${where}: pushed and pulled ${repository}:${tag}`);
      } catch (err) {
        const text = message(err);
        const hint = /unauthorized|authentication required|denied|401|403/i.test(text)
          ? 'the registry refuses the credentials: check SLIPWAY_REGISTRY_AUTH, SLIPWAY_REGISTRY_USERNAME and SLIPWAY_REGISTRY_PASSWORD'
          : 'check that the engine reaches the registry (and trusts it: insecure-registries for plain HTTP)';
        return fail(name, `${where}: ${step} failed: ${text.trim().slice(0, 300)}; ${hint}`);
      } finally {
        await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
      }
    },
    60_000,
  );
}

/** What an App installation needs for Slipway, and what it has: the missing ones. */
const APP_NEEDS: Record<string, readonly string[]> = { statuses: ['write'], deployments: ['write'], contents: ['read', 'write'] };

/**
 * The App (used when configured, even beside GITHUB_TOKEN): GitHub accepts its JWT, and it is
 * installed on every repository a pipeline names with the permissions Slipway needs.
 */
function checkGitHubApp(config: Config, repositories: readonly string[]): Promise<CheckResult> {
  const name = 'GitHub';
  const app = config.github.app!;
  const base = config.github.apiUrl.replace(/\/+$/, '');
  return guarded(name, async () => {
    if (repositories.length === 0) return skip(name, `GitHub App ${app.appId}: no pipeline names a repository, nothing to check`);
    const jwt = signAppJwt(app.appId, appPrivateKey(app.privateKey));
    const problems: string[] = [];
    for (const repository of repositories) {
      let res: Response;
      try {
        res = await fetch(`${base}/repos/${repository}/installation`, {
          headers: { Authorization: `Bearer ${jwt}`, Accept: 'application/vnd.github+json', 'User-Agent': 'slipway-doctor' },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        return fail(name, `cannot reach ${base} (GITHUB_API_URL): ${message(err)}`);
      }
      const body = (await res.json().catch(() => ({}))) as { message?: string; permissions?: Record<string, string> };
      if (res.status === 401) return fail(name, `${base} refuses the App's JWT (401: ${body.message ?? 'Unauthorized'}): check GITHUB_APP_ID and that the private key is the App's current one`);
      if (res.status === 404) {
        problems.push(`not installed on ${repository}: install the App on it`);
        continue;
      }
      if (!res.ok) return fail(name, `${base}/repos/${repository}/installation answered ${res.status}: ${body.message ?? ''}`);
      const missing = Object.entries(APP_NEEDS).filter(([perm, levels]) => !levels.includes(body.permissions?.[perm] ?? '')).map(([perm, levels]) => `${perm}: ${levels[0]}`);
      if (missing.length) problems.push(`the installation on ${repository} lacks ${missing.join(', ')}: grant them in the App's permissions and accept them on the installation`);
    }
    if (problems.length) return fail(name, `GitHub App ${app.appId}: ${problems.join('; ')}`);
    return ok(name, `GitHub App ${app.appId} accepted by ${base}, installed on ${repositories.join(', ')} with statuses, deployments and contents access`);
  });
}

/** GitHub credentials answer, and carry what commit statuses and deployments need: the App's installations, else the token's scopes. */
export function checkGitHub(config: Config, repositories: readonly string[] = []): Promise<CheckResult> {
  const name = 'GitHub';
  const { token, apiUrl, app } = config.github;
  if (app) return checkGitHubApp(config, repositories);
  if (!token) return Promise.resolve(skip(name, 'GITHUB_TOKEN not set: no commit statuses or deployments are posted'));
  return guarded(name, async () => {
    const base = apiUrl.replace(/\/+$/, '');
    let res: Response;
    try {
      res = await fetch(`${base}/rate_limit`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'User-Agent': 'slipway-doctor' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      return fail(name, `cannot reach ${base} (GITHUB_API_URL): ${message(err)}`);
    }
    await res.body?.cancel();
    if (res.status === 401) return fail(name, `${base} refuses GITHUB_TOKEN (401: revoked, expired or mistyped): make a new token with commit statuses write and deployments write`);
    if (!res.ok) return fail(name, `${base}/rate_limit answered ${res.status}: check GITHUB_API_URL and GITHUB_TOKEN`);
    const remaining = res.headers.get('x-ratelimit-remaining');
    const scopes = res.headers.get('x-oauth-scopes');
    if (scopes === null) {
      return ok(name, `token accepted by ${base}${remaining ? ` (${remaining} requests left this hour)` : ''}; a fine-grained token does not list its permissions: make sure it has Commit statuses: write, Deployments: write, Contents: read`);
    }
    const list = scopes.split(',').map((s) => s.trim()).filter(Boolean);
    const missing = list.includes('repo') ? [] : ['repo:status', 'repo_deployment'].filter((s) => !list.includes(s));
    if (missing.length > 0) {
      return fail(name, `GITHUB_TOKEN has scopes [${list.join(', ') || 'none'}]: commit statuses and deployments need the \`repo\` scope (or, for public repositories only, \`repo:status\` and \`repo_deployment\`; missing ${missing.map((s) => `\`${s}\``).join(' and ')})`);
    }
    return ok(name, `token accepted by ${base}, scopes [${list.join(', ')}]${remaining ? `, ${remaining} requests left this hour` : ''}`);
  });
}

/** Slack is not posted to: only the URL's shape is checked. */
export function checkSlack(config: Config): CheckResult {
  const name = 'Slack';
  const url = config.slackWebhookUrl;
  if (!url) return skip(name, 'SLACK_WEBHOOK_URL not set: no deploy messages');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(name, 'SLACK_WEBHOOK_URL is not a URL: copy the incoming webhook URL from the Slack app');
  }
  if (parsed.protocol !== 'https:' || parsed.hostname !== 'hooks.slack.com' || !/^\/services\/[^/]+\/[^/]+\/[^/]+$/.test(parsed.pathname)) {
    return fail(name, `SLACK_WEBHOOK_URL (${parsed.protocol}//${parsed.host}) is not an incoming webhook URL: it should be https://hooks.slack.com/services/T…/B…/…`);
  }
  return ok(name, 'SLACK_WEBHOOK_URL is an incoming webhook URL (nothing posted)');
}
