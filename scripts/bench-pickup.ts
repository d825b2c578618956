/**
 * `npm run bench:pickup [-- --pushes N] [-- --starts N]`: figures, not a test. Runs Slipway as an
 * operator does (compiled, `bin/slipway.mjs`; see compiled-slipway.ts) against its own Redis
 * (append-only, as production), Docker engine and registry, with a GitHub emulator taking the
 * commit statuses, and prints:
 *
 * - start to ready: spawn of `slipway server` → first 200 from /healthz, over `--starts` starts,
 *   beside the floor on this machine at this moment: a bare `node:http` server, spawned the same way;
 *   and the CPU time each had used by then (/proc/<pid>/stat), which a busy machine does not stretch;
 *   compiled (what `npm start`, the Docker image and an installed copy run) and from the sources
 *   through tsx (what a checkout runs while dist/ is missing or older than the sources);
 * - idle RSS (VmRSS) of `slipway server` and of `slipway all`: 2 s after ready, and settled, after
 *   `--idle` seconds without work (Slipway gives back what start-up grew on its first idle spell:
 *   workers/memory-when-idle.ts looks every 6 s, so it is done 12–18 s after start);
 * - queue pickup with an idle worker: `slipway all` gets `--pushes` signed pushes one at a time
 *   (the next once the last build ended); pickup is the build record's `startedAt` (set by the
 *   worker when the build turns `running`, before it fetches anything) minus the moment the
 *   bench got the 202. Each push names a commit the repository does not have, so the build ends
 *   at once (`COMMIT_NOT_FOUND`, not retried) and the worker is idle again for the next.
 *
 * Both clocks are this machine's (Date.now(), 1 ms); a pickup may read 0 or less when the worker
 * starts the build before the 202 has reached the bench.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { signBody } from '../src/webhook/verify-signature.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../test/emulators/github.ts';
import { pushPayload } from '../test/fixtures/payloads.ts';
import { createTestRepo, type TestRepo } from '../test/support/git-repo.ts';
import { CHECKOUT_BIN, installCompiled, startSlipwayProcess, type SlipwayProcess } from './compiled-slipway.ts';
import { freePort, startLocalServices, type LocalServices } from './local-services.ts';

const SECRET = 'bench-secret';
const TOKEN = 'bench-token';
const PREFIX = 'bench';
const REPOSITORY = 'bench/app';
const EARLY_MS = 2_000;

interface Args {
  pushes: number;
  starts: number;
  idle: number;
}

function args(): Args {
  const options = { pushes: { type: 'string', default: '200' }, starts: { type: 'string', default: '5' }, idle: { type: 'string', default: '60' } } as const;
  const { values } = parseArgs({ options, strict: false });
  const [pushes, starts, idle] = [Number(values.pushes), Number(values.starts), Number(values.idle)];
  if (![pushes, starts, idle].every((n) => Number.isInteger(n) && n >= 1)) {
    console.error('usage: npm run bench:pickup -- [--pushes N (default 200)] [--starts N (default 5)] [--idle SECONDS (default 60)]');
    process.exit(2);
  }
  return { pushes, starts, idle };
}

/** Nearest-rank percentile of an ascending list. */
function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) => n.toFixed(digits);

function slipwayEnv(root: string, services: LocalServices, github: GitHubEmulator, repo: TestRepo): NodeJS.ProcessEnv {
  const pipelines = path.join(root, 'pipelines');
  fs.mkdirSync(pipelines, { recursive: true });
  fs.writeFileSync(
    path.join(pipelines, 'bench.yml'),
    [
      'service: bench',
      `repository: ${REPOSITORY}`,
      `clone_url: ${repo.url}`,
      'test:',
      '  command: ["true"]',
      'deploy:',
      '  - branch: main',
      '    environment: production',
      '    scheduler: docker',
      '    docker:',
      '      port: 18999',
      '      health_path: /',
      '',
    ].join('\n'),
  );
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    REDIS_URL: services.redisUrl,
    DOCKER_HOST: services.dockerHost,
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    SLIPWAY_REGISTRY: services.registry,
    SLIPWAY_PIPELINES_DIR: pipelines,
    SLIPWAY_DATA_DIR: path.join(root, 'data'),
    SLIPWAY_REDIS_PREFIX: PREFIX,
    SLIPWAY_API_TOKEN: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'info',
  };
}

interface Footprint {
  ready: number[];
  readyCpu: number[];
  /** RSS 2 s after ready, each start */
  early: number[];
  /** RSS after `idle` seconds, the last start */
  settled: number;
}

/** `slipway server` started `starts` times; the last one is left idle for `idleS` seconds. */
async function serverFootprint(bin: string, env: NodeJS.ProcessEnv, root: string, starts: number, idleS: number): Promise<Footprint> {
  const ready: number[] = [];
  const readyCpu: number[] = [];
  const early: number[] = [];
  let settled = NaN;
  for (let i = 0; i < starts; i++) {
    const server = await startSlipwayProcess(bin, 'server', await freePort(), env, path.join(root, 'server.log'));
    try {
      ready.push(server.readyMs);
      readyCpu.push(server.readyCpuMs);
      await sleep(EARLY_MS);
      early.push(server.rssMb());
      if (i === starts - 1) {
        await sleep(idleS * 1000 - EARLY_MS);
        settled = server.rssMb();
      }
    } finally {
      await server.stop();
    }
  }
  return { ready, readyCpu, early, settled };
}

/** `slipway server` from the checkout's sources through tsx, `starts` times: ready and CPU by then. */
async function sourceReady(env: NodeJS.ProcessEnv, root: string, starts: number): Promise<{ ready: number[]; readyCpu: number[] }> {
  const ready: number[] = [];
  const readyCpu: number[] = [];
  for (let i = 0; i < starts; i++) {
    const server = await startSlipwayProcess(CHECKOUT_BIN, 'server', await freePort(), env, path.join(root, 'source.log'), 'source');
    ready.push(server.readyMs);
    readyCpu.push(server.readyCpuMs);
    await server.stop();
  }
  return { ready, readyCpu };
}

/** The floor for start to ready: a node:http server answering 200, spawned and polled the same way. */
async function bareNodeReady(root: string, starts: number): Promise<{ ready: number[]; readyCpu: number[] }> {
  const script = path.join(root, 'bare.mjs');
  fs.writeFileSync(script, "import http from 'node:http';\nhttp.createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n");
  const ready: number[] = [];
  const readyCpu: number[] = [];
  for (let i = 0; i < starts; i++) {
    const bare = await startSlipwayProcess(script, 'server', await freePort(), {}, path.join(root, 'bare.log'));
    ready.push(bare.readyMs);
    readyCpu.push(bare.readyCpuMs);
    await bare.stop();
  }
  return { ready, readyCpu };
}

/** One push at a time: 202, then its build record's `startedAt`, then wait for it to end. */
async function pickups(all: SlipwayProcess, redis: Redis, github: GitHubEmulator, pushes: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < pushes; i++) {
    const sha = randomBytes(20).toString('hex');
    github.knownCommits.add(sha);
    const body = JSON.stringify(pushPayload({ repository: REPOSITORY, branch: 'main', sha, message: `bench ${i}`, author: 'ada' }));
    const res = await fetch(`${all.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/bench', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(SECRET, body) },
      body,
    });
    const accepted = Date.now();
    const answer = (await res.json()) as { queued?: { id: string }[] };
    const id = answer.queued?.[0]?.id;
    if (res.status !== 202 || !id) throw new Error(`push ${i}: ${res.status} ${JSON.stringify(answer)}`);
    const build = await ended(redis, id, 30_000);
    if (build.startedAt === undefined) throw new Error(`build ${id} ended without starting: ${build.state}`);
    out.push(build.startedAt - accepted);
    await sleep(100 + Math.random() * 200); // the worker back at its blocking wait
  }
  return out;
}

async function ended(redis: Redis, id: string, timeoutMs: number): Promise<{ state: string; startedAt?: number }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const json = await redis.get(`${PREFIX}:build:${id}`);
    const build = json ? (JSON.parse(json) as { state: string; startedAt?: number }) : undefined;
    if (build && !['queued', 'running'].includes(build.state)) return build;
    if (Date.now() > until) throw new Error(`build ${id} did not end within ${timeoutMs} ms (${build?.state})`);
    await sleep(20);
  }
}

function summary(label: string, values: readonly number[], unit: string, digits = 0): string {
  const s = [...values].sort((a, b) => a - b);
  return `${label.padEnd(34)} p50 ${fmt(pct(s, 50), digits)} ${unit}  p90 ${fmt(pct(s, 90), digits)} ${unit}  p99 ${fmt(pct(s, 99), digits)} ${unit}  max ${fmt(s.at(-1)!, digits)} ${unit}  (n=${s.length})`;
}

async function main(): Promise<void> {
  const { pushes, starts, idle } = args();
  const root = fs.mkdtempSync('/tmp/slipway-bp-');
  let services: LocalServices | undefined;
  let github: GitHubEmulator | undefined;
  let repo: TestRepo | undefined;
  let all: SlipwayProcess | undefined;
  let redis: Redis | undefined;
  const stopAll = async () => {
    await all?.stop();
    redis?.disconnect();
    await github?.close();
    await services?.stop();
    repo?.remove();
    fs.rmSync(root, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    process.stderr.write('bench: compiling, starting Redis, Docker engine and registry…\n');
    const bin = installCompiled(path.join(root, 'app'));
    services = await startLocalServices({ root: path.join(root, 's'), durableRedis: true });
    github = await startGitHubEmulator({ token: TOKEN });
    repo = createTestRepo('bench');
    repo.commit({ 'README.md': 'bench\n' }, 'first');
    const env = slipwayEnv(root, services, github, repo);

    const floor = await bareNodeReady(root, starts);
    const server = await serverFootprint(bin, env, root, starts, idle);
    const source = await sourceReady(env, root, starts);
    all = await startSlipwayProcess(bin, 'all', await freePort(), env, path.join(root, 'all.log'));
    await sleep(EARLY_MS);
    const allEarly = all.rssMb();
    await sleep(idle * 1000 - EARLY_MS);
    const allSettled = all.rssMb();
    redis = new Redis(services.redisUrl);
    const warm = await pickups(all, redis, github, Math.min(10, pushes)); // mirror cloned, code paths warm
    const times = await pickups(all, redis, github, pushes);
    const allAfter = all.rssMb();

    const cpus = os.cpus();
    console.log(`\nSlipway pickup and footprint — ${cpus.length} × ${cpus[0]?.model.trim()}, Node ${process.version}, ${new Date().toISOString()}`);
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; compiled is what npm start, the Docker image and an installed copy run`);
    console.log(summary('start to ready, slipway server', server.ready, 'ms'));
    console.log(summary('start to ready, server via tsx', source.ready, 'ms'));
    console.log(summary('start to ready, bare node:http', floor.ready, 'ms'));
    console.log(summary('CPU used by ready, slipway server', server.readyCpu, 'ms'));
    console.log(summary('CPU used by ready, server via tsx', source.readyCpu, 'ms'));
    console.log(summary('CPU used by ready, bare node:http', floor.readyCpu, 'ms'));
    console.log(`${'idle RSS, slipway server'.padEnd(34)} ${fmt(server.settled, 1)} MB after ${idle} s idle; ${fmt(Math.min(...server.early), 1)}–${fmt(Math.max(...server.early), 1)} MB 2 s after ready`);
    console.log(`${'idle RSS, slipway all'.padEnd(34)} ${fmt(allSettled, 1)} MB after ${idle} s idle; ${fmt(allEarly, 1)} MB 2 s after ready; ${fmt(allAfter, 1)} MB after ${warm.length + times.length} builds`);
    console.log(summary('queue pickup, idle worker', times, 'ms'));
  } finally {
    await stopAll();
  }
}

await main();
