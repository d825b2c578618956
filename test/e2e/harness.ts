import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Build } from '../../src/core/build.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { pushPayload } from '../fixtures/payloads.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { startSlackEmulator, type SlackEmulator } from '../emulators/slack.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { createTestRepo, type TestRepo } from '../support/git-repo.ts';
import { makeTempDir, removeTempDir } from '../support/temp-dir.ts';

export const SECRET = 'e2e-webhook-secret';
export const TOKEN = 'e2e-github-token';
const FINAL = new Set(['passed', 'failed', 'error', 'cancelled', 'skipped']);
const DEPLOY_FINAL = new Set(['succeeded', 'failed', 'rolled_back', 'skipped', 'error']);

/** The whole product on real Redis, Docker, registry and git, with GitHub and Slack emulated. */
export interface Harness {
  readonly service: string;
  readonly repository: string;
  readonly servicePort: number;
  readonly repo: TestRepo;
  readonly github: GitHubEmulator;
  readonly slack: SlackEmulator;
  readonly slipway: Running & { url: string };
  readonly registry: string;
  /** every line of the operator's log (pino JSON, debug level) */
  readonly operatorLog: string[];
  /** the environment Slipway's configuration was loaded from, for running `slipway` commands against it */
  readonly env: Readonly<Record<string, string>>;
  send(event: string, payload: unknown, options?: { delivery?: string; signature?: string | null; body?: string; contentType?: string }): Promise<{ status: number; body: any }>;
  /** the signed `push` GitHub sends when `author` (ada) pushes `sha` to `branch` of this repository */
  push(sha: string, message: string, branch?: string): Promise<{ status: number; body: any }>;
  /** a build's whole log, as the API serves it */
  buildLog(id: string): Promise<string>;
  /** waits until the build and every deploy it queued have finished */
  finished(id: string, timeoutMs?: number): Promise<Build>;
  manifestDigest(tag: string): Promise<string | undefined>;
  serviceAnswer(): Promise<string | undefined>;
  /** stops Slipway and the emulators, removes the service's containers, the temp folders and the repository */
  close(): Promise<void>;
}

export interface HarnessOptions {
  deadlineSeconds?: number;
  /** the deploy entry's scheduler and its block as YAML lines (default: the docker adapter on servicePort) */
  deploy?: (servicePort: number, service: string) => { scheduler: string; block: string };
  /** more environment for Slipway (scheduler endpoints, registry auth, …) */
  env?: Record<string, string>;
  /** registry to push to instead of the plain test registry (e.g. the auth registry) */
  registry?: string;
  /** the pipeline's `test:` block as YAML lines (default: `sh /check.sh` in the built image, 60 s) */
  test?: string;
  /** the whole pipeline file instead of the one the options above make (several deploy entries) */
  pipeline?: (servicePort: number, service: string, repository: string) => string;
  /** more keys of the deploy entry as YAML lines (e.g. `url: https://hello.example.com`) */
  entry?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const env = testEnv();
  const service = `hello-${randomUUID().slice(0, 8)}`;
  const repository = `acme/${service}`;
  const [servicePort, httpPort] = [await freePort(), await freePort()];
  const github = await startGitHubEmulator({ token: TOKEN });
  const slack = await startSlackEmulator();
  const repo = createTestRepo(service);
  const pipelinesDir = makeTempDir('slipway-pipelines-');
  const dataDir = makeTempDir('slipway-data-');
  const deploy = options.deploy?.(servicePort, service) ?? dockerDeploy(servicePort);
  writeFileSync(join(pipelinesDir, `${service}.yml`), pipelineYaml(service, repository, deploy, options.test ?? DEFAULT_TEST, options.entry));
  if (options.pipeline) writeFileSync(join(pipelinesDir, `${service}.yml`), options.pipeline(servicePort, service, repository));
  const configEnv: Record<string, string> = {
    PORT: String(httpPort),
    REDIS_URL: env.redisUrl,
    DOCKER_HOST: env.dockerHost,
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    SLACK_WEBHOOK_URL: slack.url,
    SLIPWAY_REGISTRY: options.registry ?? env.registry,
    SLIPWAY_PIPELINES_DIR: pipelinesDir,
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_PUBLIC_URL: 'http://slipway.test',
    SLIPWAY_REDIS_PREFIX: `e2e-${service}`,
    SLIPWAY_DEPLOY_DEADLINE: String(options.deadlineSeconds ?? 20),
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const config = loadConfig(configEnv);
  const operatorLog: string[] = [];
  const logger = pino({ level: config.logLevel }, { write: (line: string) => void operatorLog.push(line) });
  const slipway = (await startSlipway(config, ['server', 'worker'], logger)) as Running & { url: string };
  const docker = new Docker({ socketPath: env.dockerHost.replace(/^unix:\/\//, '') });

  const send: Harness['send'] = async (event, payload, o = {}) => {
    const body = o.body ?? JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': o.contentType ?? 'application/json',
      'user-agent': 'GitHub-Hookshot/044aadd',
      'x-github-event': event,
      'x-github-delivery': o.delivery ?? randomUUID(),
    };
    if (o.signature !== null) headers['x-hub-signature-256'] = o.signature ?? signBody(SECRET, body);
    const res = await fetch(`${slipway.url}/webhooks/github`, { method: 'POST', headers, body });
    return { status: res.status, body: await res.json() };
  };

  return {
    service,
    repository,
    servicePort,
    repo,
    github,
    slack,
    slipway,
    registry: options.registry ?? env.registry,
    operatorLog,
    env: configEnv,
    send,
    push(sha, message, branch = 'main') {
      return send('push', pushPayload({ repository, cloneUrl: repo.url, branch, sha, message, author: 'ada' }));
    },
    async buildLog(id) {
      return (await fetch(`${slipway.url}/api/builds/${id}/logs`)).text();
    },
    async finished(id, timeoutMs = 90_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const build = (await (await fetch(`${slipway.url}/api/builds/${id}`)).json()) as Build;
        if (FINAL.has(build.state) && build.deploys.every((d) => DEPLOY_FINAL.has(d.state))) return build;
        if (Date.now() > until) throw new Error(`build ${id} did not finish: ${JSON.stringify(build)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async manifestDigest(tag) {
      const registry = options.registry ?? env.registry;
      const auth: Record<string, string> = registry === env.authRegistry ? { authorization: `Basic ${Buffer.from(`${env.authUsername}:${env.authPassword}`).toString('base64')}` } : {};
      const res = await fetch(`http://${registry}/v2/${service}/manifests/${tag}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json', ...auth },
      });
      return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    async serviceAnswer() {
      try {
        const res = await fetch(`http://127.0.0.1:${servicePort}/index.html`, { signal: AbortSignal.timeout(2000) });
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    },
    async close() {
      await slipway.close();
      for (const name of [`slipway-${service}-production`, `slipway-${service}-production-previous`]) {
        await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
      }
      await Promise.all([github.close(), slack.close()]);
      for (const dir of [pipelinesDir, dataDir]) removeTempDir(dir);
      repo.remove();
    },
  };
}

function dockerDeploy(port: number) {
  return { scheduler: 'docker', block: `port: ${port}\nhealth_path: /index.html` };
}

export const DEFAULT_TEST = 'command: ["sh", "/check.sh"]\ntimeout: 60';

export function pipelineYaml(service: string, repository: string, deploy: { scheduler: string; block: string }, test: string, entry?: string): string {
  const block = deploy.block.split('\n').map((l) => `      ${l}`).join('\n');
  return `service: ${service}
repository: ${repository}
test:
${test.split('\n').map((l) => `  ${l}`).join('\n')}
deploy:
  - branch: main
    environment: production
    scheduler: ${deploy.scheduler}
${entry ? entry.split('\n').map((l) => `    ${l}\n`).join('') : ''}    ${deploy.scheduler}:
${block}
`;
}

/** A pipeline where main deploys to staging (on `stagingPort`) at once and to production only once approved. */
export function stagingThenApprovedProduction(stagingPort: number): NonNullable<HarnessOptions['pipeline']> {
  return (productionPort, service, repository) => `service: ${service}
repository: ${repository}
test:
  command: ["sh", "/check.sh"]
  timeout: 60
deploy:
  - branch: main
    environment: staging
    scheduler: docker
    docker: { port: ${stagingPort}, health_path: /index.html }
  - branch: main
    environment: production
    scheduler: docker
    approval: required
    docker: { port: ${productionPort}, health_path: /index.html }
`;
}

/** A pipeline where main deploys to production and pull requests to previews on the docker ports `ports` (`first-last`), with `url` if given. */
export function productionAndPreviews(ports: string, url?: string): NonNullable<HarnessOptions['pipeline']> {
  return (productionPort, service, repository) => `service: ${service}
repository: ${repository}
test: { command: ["sh", "/check.sh"], timeout: 60 }
deploy: [{ branch: main, environment: production, scheduler: docker, docker: { port: ${productionPort}, health_path: /index.html } }]
preview:
  scheduler: docker
${url ? `  url: ${url}\n` : ''}  docker: { ports: ${ports}, health_path: /index.html }
`;
}

/** The example app's files, with the page's text replaced. */
export function helloApp(page: string, extra: Record<string, string> = {}): Record<string, string | { from: string }> {
  const app = new URL('../fixtures/hello-app/', import.meta.url).pathname;
  return {
    Dockerfile: { from: join(app, 'Dockerfile') },
    'check.sh': { from: join(app, 'check.sh') },
    'www/index.html': `<!doctype html><h1>${page}</h1>\n`,
    ...extra,
  };
}

/**
 * Commits and pushes a release whose server never answers (its container only sleeps), so its
 * rollout never gets healthy, and waits for its build to end.
 */
export async function pushNeverHealthy(h: Harness, timeoutMs = 120_000): Promise<{ sha: string; build: Build }> {
  const files = { ...helloApp('Hello, broken server'), Dockerfile: 'FROM local/busybox\nCOPY www /www\nCOPY check.sh /check.sh\nCMD ["sleep", "3600"]\n' };
  const sha = h.repo.commit(files, 'Serve nothing');
  const build = await h.finished((await h.push(sha, 'Serve nothing')).body.queued[0].id, timeoutMs);
  return { sha, build };
}
