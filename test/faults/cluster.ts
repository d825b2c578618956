/**
 * Slipway as a team runs it, for fault tests: the server in this process, workers as separate
 * `slipway worker` processes (so a test can SIGKILL them), a Redis of the test's own with AOF (so a
 * test can restart it), the real Docker engine and registry, real git repositories, and GitHub and
 * Slack emulated. Short job leases (SLIPWAY_JOB_LEASE) make a killed worker's job come back in
 * seconds instead of a minute. Invariants are read from the recorded history, not from log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { isFinal, type Build } from '../../src/core/build.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { STATUS_LEASE_MS } from '../../src/store/redis-status-gate.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { DEFAULT_TEST, pipelineYaml } from '../e2e/harness.ts';
import { startGitHubEmulator, type GitHubEmulator, type RecordedStatus } from '../emulators/github.ts';
import { startSlackEmulator, type SlackEmulator } from '../emulators/slack.ts';
import { pushPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { createTestRepo, type TestRepo } from '../support/git-repo.ts';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.ts';

/**
 * How long after a job's record is final its last commit status or deployment status may still
 * come: a worker killed mid-post stops renewing that subject's status-gate lease, which then runs
 * out within STATUS_LEASE_MS (5 s; it was a fixed 20 s), and the post waits for it; then the post
 * itself, on a busy machine.
 */
export const FINAL_STATUS_MS = STATUS_LEASE_MS + 10_000;

const SECRET = 'fault-secret';
const TOKEN = 'fault-token';
const BIN = new URL('../../bin/slipway.mjs', import.meta.url).pathname;

export interface Service {
  readonly name: string;
  readonly repository: string;
  readonly port: number;
  readonly repo: TestRepo;
}

/** A `slipway worker` process. */
export interface WorkerProcess {
  readonly pid: number;
  readonly output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface Cluster {
  readonly services: readonly Service[];
  readonly redis: OwnRedis;
  readonly github: GitHubEmulator;
  readonly slack: SlackEmulator;
  readonly url: string;
  readonly prefix: string;
  /** the environment Slipway runs with, for `slipway` commands against it */
  readonly env: Readonly<Record<string, string>>;
  startWorker(): WorkerProcess;
  /** SIGKILLs every worker still running */
  killWorkers(): Promise<void>;
  /** commits a change to the service's repository (the app; `slow` adds build and start-up delays) and sends the signed push; resolves with the build id */
  push(service: Service, page: string, options?: { buildSeconds?: number; startSeconds?: number; branch?: string }): Promise<{ id: string; sha: string }>;
  build(id: string): Promise<Build>;
  /** the build's log as the API serves it */
  log(id: string): Promise<string>;
  /** polls the build until `done(build)` holds; throws with the build after `timeoutMs` */
  until(id: string, what: string, done: (b: Build) => boolean, timeoutMs?: number): Promise<Build>;
  /** the build and every deploy it started have an outcome */
  settled(id: string, timeoutMs?: number): Promise<Build>;
  /** what the service answers on its port now */
  answer(service: Service): Promise<string | undefined>;
  /** statuses GitHub recorded for one commit and context, in order */
  statuses(sha: string, context: string): RecordedStatus[];
  /** waits until GitHub has a final status for the commit and context (it is posted just after the record) */
  finalStatus(sha: string, context: string, timeoutMs?: number): Promise<RecordedStatus>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  readonly services?: number;
  /** seconds a worker's hold on a job lasts (default 3) */
  readonly jobLease?: number;
  readonly env?: Record<string, string>;
  /** the Docker engine the harness cleans containers up on (default: the test engine) */
  readonly docker?: string;
  /** the deploy entry's scheduler and its block as YAML lines (default: the docker scheduler on the service's port) */
  readonly deploy?: (service: Service) => { scheduler: string; block: string };
  /** more keys of the deploy entry, as YAML lines (`approval: required`) */
  readonly entry?: string;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const shared = testEnv();
  const redis = await startOwnRedis();
  const github = await startGitHubEmulator({ token: TOKEN });
  const slack = await startSlackEmulator({ burst: 1000 });
  const tag = randomUUID().slice(0, 6);
  const pipelines = mkdtempSync(join(tmpdir(), 'slipway-fault-pipelines-'));
  const data = mkdtempSync(join(tmpdir(), 'slipway-fault-data-'));
  const services: Service[] = [];
  for (let i = 0; i < (options.services ?? 1); i++) {
    const name = `f${tag}-${i}`;
    const service = { name, repository: `acme/${name}`, port: await freePort(), repo: createTestRepo(name) };
    services.push(service);
    writeFileSync(join(pipelines, `${name}.yml`), pipelineYaml(name, service.repository, options.deploy?.(service) ?? dockerBlock(service), DEFAULT_TEST, options.entry));
  }
  const prefix = `fault-${tag}`;
  const env: Record<string, string> = {
    PORT: String(await freePort()),
    REDIS_URL: redis.url,
    DOCKER_HOST: shared.dockerHost,
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    SLACK_WEBHOOK_URL: slack.url,
    SLIPWAY_REGISTRY: shared.registry,
    SLIPWAY_PIPELINES_DIR: pipelines,
    SLIPWAY_DATA_DIR: data,
    SLIPWAY_PUBLIC_URL: 'http://slipway.test',
    SLIPWAY_REDIS_PREFIX: prefix,
    SLIPWAY_DEPLOY_DEADLINE: '30',
    SLIPWAY_JOB_LEASE: String(options.jobLease ?? 3),
    SLIPWAY_RECONCILE_INTERVAL: '2',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const server = (await startSlipway(loadConfig(env), ['server'], pino({ level: 'silent' }))) as Running & { url: string };
  const workers: ChildProcess[] = [];
  const docker = new Docker({ socketPath: (options.docker ?? shared.dockerHost).replace(/^unix:\/\//, '') });

  const killWorkers = async () => {
    await Promise.all(workers.map(async (w) => {
      if (w.exitCode !== null || w.signalCode !== null) return;
      const exited = once(w, 'exit');
      w.kill('SIGKILL');
      await exited;
    }));
  };
  // With SLIPWAY_API_TOKEN set, the harness reads the API as a client holding it would.
  const apiHeaders: Record<string, string> = env.SLIPWAY_API_TOKEN ? { authorization: `Bearer ${env.SLIPWAY_API_TOKEN}` } : {};
  const build = async (id: string) => (await (await fetch(`${server.url}/api/builds/${id}`, { headers: apiHeaders })).json()) as Build;
  const until: Cluster['until'] = async (id, what, done, timeoutMs = 120_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const b = await build(id);
      if (done(b)) return b;
      if (Date.now() > end) throw new Error(`build ${id}: timed out waiting for ${what}: ${JSON.stringify(b)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    services,
    redis,
    github,
    slack,
    url: server.url,
    prefix,
    env,
    startWorker() {
      const child = spawn(process.execPath, [BIN, 'worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      workers.push(child);
      const output: string[] = [];
      const keep = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      return {
        pid: child.pid!,
        output,
        async kill(signal = 'SIGKILL') {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill(signal);
          await exited;
        },
      };
    },
    async push(service, page, o = {}) {
      const files: Record<string, string> = {
        Dockerfile: dockerfile(o.buildSeconds ?? 0, o.startSeconds ?? 0),
        'check.sh': '#!/bin/sh\ngrep -q "<h1>" /www/index.html\n',
        'www/index.html': `<!doctype html><h1>${page}</h1>\n`,
      };
      const sha = service.repo.commit(files, page, o.branch);
      const body = JSON.stringify(pushPayload({ repository: service.repository, cloneUrl: service.repo.url, branch: o.branch ?? 'main', sha, message: page, author: 'ada' }));
      const res = await fetch(`${server.url}/webhooks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(SECRET, body) },
        body,
      });
      const answer = (await res.json()) as { queued?: { id: string }[] };
      if (res.status !== 202 || !answer.queued?.[0]) throw new Error(`push answered ${res.status}: ${JSON.stringify(answer)}`);
      return { id: answer.queued[0].id, sha };
    },
    build,
    log: async (id) => (await fetch(`${server.url}/api/builds/${id}/logs`, { headers: apiHeaders })).text(),
    until,
    settled: (id, timeoutMs) => until(id, 'an outcome', (b) => isFinal(b.state) && b.deploys.every((d) => isFinal(d.state)), timeoutMs),
    async answer(service) {
      try {
        const res = await fetch(`http://127.0.0.1:${service.port}/index.html`, { signal: AbortSignal.timeout(2000) });
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    },
    statuses: (sha, context) => github.statuses.filter((s) => s.sha === sha && s.context === context),
    finalStatus: (sha, context, timeoutMs = FINAL_STATUS_MS) => github.finalStatus(sha, context, timeoutMs),
    killWorkers,
    async close() {
      await killWorkers();
      await server.close();
      for (const s of services) {
        for (const suffix of ['', '-previous', '-next']) await docker.getContainer(`slipway-${s.name}-production${suffix}`).remove({ force: true }).catch(() => undefined);
      }
      await Promise.all([github.close(), slack.close(), redis.close()]);
      rmSync(pipelines, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
      for (const s of services) rmSync(s.repo.bare.replace(/\/[^/]+\.git$/, ''), { recursive: true, force: true });
    },
  };
}

function dockerBlock(s: Service) {
  return { scheduler: 'docker', block: `port: ${s.port}\nhealth_path: /index.html` };
}

/** The example app; `buildSeconds` holds the build in a RUN step, `startSeconds` holds the release before it serves. */
function dockerfile(buildSeconds: number, startSeconds: number): string {
  return [
    'FROM local/busybox',
    ...(buildSeconds > 0 ? [`RUN sleep ${buildSeconds}`] : []),
    'COPY www /www',
    'COPY check.sh /check.sh',
    `CMD ["sh", "-c", "trap 'exit 0' TERM; sleep ${startSeconds}; exec httpd -f -p 127.0.0.1:\${PORT} -h /www"]`,
  ].join('\n') + '\n';
}

/**
 * What must hold on GitHub whatever happened: per commit and context, exactly one final status,
 * and it is the last one (no pending after it). Returns the problems found.
 */
export function statusProblems(statuses: readonly RecordedStatus[]): string[] {
  const byContext = new Map<string, RecordedStatus[]>();
  for (const s of statuses) byContext.set(`${s.sha.slice(0, 7)} ${s.context}`, [...(byContext.get(`${s.sha.slice(0, 7)} ${s.context}`) ?? []), s]);
  const problems: string[] = [];
  for (const [key, list] of byContext) {
    const finals = list.filter((s) => s.state !== 'pending');
    if (finals.length !== 1) problems.push(`${key}: ${finals.length} final statuses (${list.map((s) => s.state).join(' → ')})`);
    else if (list.at(-1)?.state === 'pending') problems.push(`${key}: pending after the final status (${list.map((s) => s.state).join(' → ')})`);
  }
  return problems;
}
