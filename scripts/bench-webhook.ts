/**
 * `npm run bench:webhook [-- --rounds N] [-- --seconds S] [-- --connections C] [-- --deliveries D] [-- --one-branch]`:
 * figures, not a test. Loads, in turn and in one run, a minimal node:http receiver (HMAC + one
 * XADD), the same with BullMQ's Queue.add (the library floor), and `slipway server` as production
 * runs it (compiled: `npm run build`, then bin/slipway.mjs with SLIPWAY_RUN=compiled), each with a
 * throwaway Redis of its own (AOF everysec, as `npm run up` runs it), with autocannon on the same
 * cores: C connections (32), N rounds (3) of S seconds (10), rounds interleaved so drift hits all
 * three alike. Every request is GitHub's push example for the repository of pipelines/hello.yml,
 * signed, with a fresh X-GitHub-Delivery id (dedupe never short-cuts it), so Slipway takes the
 * real path a push takes: ledger, build record, job, `pending` status after the reply (no GitHub
 * token here, so the status post itself is skipped). Prints
 * req/s (median of rounds), p50, p99, the ratios, and the server's RSS settled 30 s after start, then 5 s
 * and 30 s after D (10,000) deliveries. Env BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS and
 * BENCH_DELIVERIES do the same as the flags (a smoke run: --rounds 1 --seconds 2 --deliveries 500).
 * BENCH_CPU_PROF=<dir> starts `slipway server` with --cpu-prof writing there; BENCH_NODE_FLAGS adds
 * node flags of your own (e.g. heap sizes to try). `--only slipway` loads that server alone.
 * BENCH_KEEP=1 keeps the temporary directory with each server's log (its path is printed); LOG_LEVEL
 * is passed on to `slipway server` (default info: one line per delivery, as in production).
 * BENCH_BASELINE=<another checkout> also loads `slipway server` built from there, in the same
 * rounds, and prints the ratio to it: an A/B of a change on a machine whose speed drifts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuMs, rssMb, stopChild } from './compiled-slipway.ts';
import { redisPing } from './local-services/probes.ts';
import { signBody } from '../src/webhook/verify-signature.ts';
import { pushPayload } from '../test/fixtures/payloads.ts';
import { freePort } from '../test/support/free-port.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'bench-webhook-secret';
const SERVERS = ['raw', 'bullmq', 'slipway'] as const;
type ServerName = (typeof SERVERS)[number] | 'baseline';
/** BENCH_BASELINE: a checkout whose `slipway server` is loaded beside this one's */
const BASELINE = process.env.BENCH_BASELINE;
const LABEL: Record<ServerName, string> = {
  raw: 'raw node:http receiver (HMAC, one XADD)',
  bullmq: 'BullMQ floor (HMAC, Queue.add)',
  slipway: '`slipway server`',
  baseline: `\`slipway server\` of ${BASELINE}`,
};

interface Running {
  readonly name: ServerName;
  readonly url: string;
  readonly proc: ChildProcess;
  readonly redis: ChildProcess;
}

interface Round {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
}

/** A round as measured, with the server's CPU time per request (µs). */
type MeasuredRound = Round & { readonly cpu: number };

const { values: flags } = parseArgs({
  options: { rounds: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, deliveries: { type: 'string' }, only: { type: 'string' }, 'one-branch': { type: 'boolean' } },
});
const ROUNDS = Number(flags.rounds ?? process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(flags.seconds ?? process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(flags.connections ?? process.env.BENCH_CONNECTIONS ?? 32);
const DELIVERIES = Number(flags.deliveries ?? process.env.BENCH_DELIVERIES ?? 10_000);
/** seconds of idle after the deliveries before the last RSS reading */
const LATER_S = 30;
/** `--only slipway`: load that server alone (for a profile); no ratios then */
const ONLY: ServerName[] = [...(flags.only ? SERVERS.filter((n) => n === flags.only) : SERVERS), ...(BASELINE ? ['baseline' as const] : [])];

/**
 * `--one-branch`: every delivery is a push to main, so each one supersedes (cancels) the build the
 * one before it queued: the worst case of superseding. By default each delivery pushes a branch
 * of its own (the push that supersedes nothing, as most are).
 */
const ONE_BRANCH = flags['one-branch'] ?? process.env.BENCH_ONE_BRANCH === '1';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-webhook-'));
const children: ChildProcess[] = [];
/** A signed push of `branch` (every server gets the same bodies, made on the client's time). */
function signedPush(branch: string): { body: Buffer; signature: string } {
  const body = Buffer.from(JSON.stringify(pushPayload({ repository: 'acme/hello', branch, sha: 'a'.repeat(40) })));
  return { body, signature: signBody(SECRET, body) };
}
const toMain = signedPush('main');

async function startRedis(name: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const dir = path.join(tmp, `redis-${name}`);
  fs.mkdirSync(dir);
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  children.push(proc);
  const url = `redis://127.0.0.1:${port}`;
  const until = Date.now() + 15_000;
  while (!(await redisPing(url, 300))) {
    if (Date.now() > until || proc.exitCode !== null) throw new Error(`redis-server for ${name} did not start`);
    await sleep(50);
  }
  return { url, proc };
}

async function startServer(name: ServerName): Promise<Running> {
  const redis = await startRedis(name);
  const port = await freePort();
  const log = fs.openSync(path.join(tmp, `${name}.log`), 'w');
  const env = { ...process.env, REDIS_URL: redis.url, SECRET, PORT: String(port) };
  let proc: ChildProcess;
  if (name === 'slipway' || name === 'baseline') {
    const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const prof = process.env.BENCH_CPU_PROF ? [...flags, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : flags;
    proc = spawn(process.execPath, [...prof, path.join(name === 'baseline' ? BASELINE! : ROOT, 'bin/slipway.mjs'), 'server'], {
      cwd: tmp,
      stdio: ['ignore', log, log],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SLIPWAY_RUN: 'compiled',
        REDIS_URL: redis.url,
        PORT: String(port),
        GITHUB_WEBHOOK_SECRET: SECRET,
        SLIPWAY_REGISTRY: '127.0.0.1:5000',
        SLIPWAY_PIPELINES_DIR: path.join(ROOT, 'pipelines'),
        SLIPWAY_DATA_DIR: path.join(tmp, 'data'),
        SLIPWAY_API_TOKEN: 'bench-api-token-0123456789',
        ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
        // as the Docker image and `npm start` run it (see the Dockerfile); MALLOC_ARENA_MAX= to compare without
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      },
    });
  } else {
    proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, `scripts/bench/${name}-receiver.ts`)], { cwd: ROOT, stdio: ['ignore', log, log, 'ipc'], env });
  }
  children.push(proc);
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  while (!(await answers(url))) {
    if (Date.now() > until || proc.exitCode !== null) throw new Error(`${name} did not start; see ${path.join(tmp, `${name}.log`)}`);
    await sleep(50);
  }
  return { name, url, proc, redis: redis.proc };
}

/** Whether anything answers HTTP there (slipway: /healthz 200; the receivers answer any path). */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

/** One load: fixed `seconds`, or exactly `amount` deliveries. */
async function load(url: string, opts: { seconds?: number; amount?: number }): Promise<Round> {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const result = await autocannon({
    url: `${url}/webhooks/github`,
    connections: CONNECTIONS,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const { body, signature } = ONE_BRANCH ? toMain : signedPush(`bench/${run}-${n + 1}`);
          return {
            ...req,
            headers: {
              'content-type': 'application/json',
              'x-github-event': 'push',
              'x-hub-signature-256': signature,
              'x-github-delivery': `${run}-${++n}`,
            },
            body,
          };
        },
      },
    ],
  });
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

/** RSS of `slipway server` once quiet for a few seconds. */
async function idleRss(pid: number): Promise<number> {
  await sleep(5_000);
  return rssMb(pid);
}

/**
 * `slipway server`'s RSS settled after start (LATER_S seconds idle: what start-up grew is given
 * back on the first idle spell, workers/memory-when-idle.ts), 5 s after DELIVERIES deliveries
 * (what the burst took), and settled again LATER_S seconds after them (what stays). Both settled
 * figures are read the same way, so the comparison is like for like.
 */
async function rssAround(slipway: Running): Promise<{ idle: number; after: number; later: number }> {
  await sleep(LATER_S * 1000);
  const idle = rssMb(slipway.proc.pid!);
  const burst = await load(slipway.url, { amount: DELIVERIES });
  const after = await idleRss(slipway.proc.pid!);
  await sleep((LATER_S - 5) * 1000);
  const later = rssMb(slipway.proc.pid!);
  if (burst.non2xx > 0) console.log(`warning: ${burst.non2xx} of the ${DELIVERIES} deliveries were not answered 2xx`);
  return { idle, after, later };
}

const met = (ok: boolean) => (ok ? 'met' : 'missed');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `npm run build`; tsc emits despite type errors, so a checkout mid-edit still gets measured (with a warning). */
function build(checkout = ROOT): void {
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: checkout, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    if (!fs.existsSync(path.join(checkout, 'dist/src/cli/main.js'))) throw new Error(`npm run build produced no dist/src/cli/main.js in ${checkout}`);
    console.log('warning: `npm run build` reported type errors; measuring the JavaScript it emitted');
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
  console.log(`load: autocannon, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s each, push payload ${toMain.body.length} bytes, signed, unique delivery ids, ${ONE_BRANCH ? 'all to main (each supersedes the one before)' : 'each to a branch of its own'}`);
  build();
  if (BASELINE) build(BASELINE);
  const servers: Running[] = [];
  for (const name of ONLY) servers.push(await startServer(name));
  const slipway = servers.find((s) => s.name === 'slipway');
  const rss = slipway && (await rssAround(slipway));

  for (const s of servers) await load(s.url, { seconds: 1 }); // warm up (JIT, connection pools)
  const rounds = new Map<ServerName, MeasuredRound[]>(ONLY.map((n) => [n, []]));
  for (let r = 1; r <= ROUNDS; r++) {
    for (const s of servers) {
      const before = [cpuMs(s.proc.pid!), cpuMs(s.redis.pid!)];
      const round = await load(s.url, { seconds: SECONDS });
      const served = round.rps * SECONDS;
      const cpu = { server: ((cpuMs(s.proc.pid!) - before[0]!) * 1000) / served, redis: ((cpuMs(s.redis.pid!) - before[1]!) * 1000) / served };
      rounds.get(s.name)!.push({ ...round, cpu: cpu.server });
      console.log(`round ${r} ${s.name.padEnd(8)} ${Math.round(round.rps)} req/s  p50 ${round.p50} ms  p99 ${round.p99} ms  CPU/request: server ${Math.round(cpu.server)} µs, its Redis ${Math.round(cpu.redis)} µs${round.non2xx ? `  non-2xx/errors ${round.non2xx}` : ''}`);
    }
  }

  const summary = new Map(ONLY.map((n) => {
    const rs = rounds.get(n)!;
    return [n, { rps: median(rs.map((x) => x.rps)), p50: median(rs.map((x) => x.p50)), p99: median(rs.map((x) => x.p99)), cpu: median(rs.map((x) => x.cpu)) }];
  }));
  console.log('\n| server | req/s (median) | p50 | p99 |\n|---|---|---|---|');
  for (const n of ONLY) {
    const s = summary.get(n)!;
    console.log(`| ${LABEL[n]} | ${Math.round(s.rps).toLocaleString('en-US')} | ${s.p50} ms | ${s.p99} ms |`);
  }
  const raw = summary.get('raw');
  const floor = summary.get('bullmq');
  const ours = summary.get('slipway');
  const before = summary.get('baseline');
  if (ours && before) console.log(`\nslipway / baseline: ${(ours.rps / before.rps).toFixed(2)}× req/s, p99 ${(ours.p99 / before.p99).toFixed(2)}×, server CPU per delivery ${Math.round(ours.cpu)} against ${Math.round(before.cpu)} µs (medians)`);
  if (rss) {
    const growth = (mb: number) => `${mb >= rss.idle ? '+' : ''}${(((mb - rss.idle) / rss.idle) * 100).toFixed(0)} %`;
    const back = `${rss.later <= rss.idle * 1.1 ? 'back' : 'not back'} within 10 % of idle: target ${met(rss.later <= rss.idle * 1.1)}`;
    console.log(`\nslipway server RSS: ${rss.idle.toFixed(0)} MB idle ${LATER_S} s after start, ${rss.after.toFixed(0)} MB 5 s after ${DELIVERIES.toLocaleString('en-US')} deliveries (${growth(rss.after)}), ${rss.later.toFixed(0)} MB after ${LATER_S} s idle (${growth(rss.later)}; ${back})`);
  }
  if (!raw || !floor || !ours) return;
  // the verdicts from the unrounded ratios: 0.598 prints as 0.60 and is a miss
  const [byRaw, byFloor, p99] = [ours.rps / raw.rps, ours.rps / floor.rps, ours.p99 / raw.p99];
  console.log(`slipway / raw: ${byRaw.toFixed(3)}× req/s (target ≥ 0.6: ${met(byRaw >= 0.6)}), p99 ${p99.toFixed(2)}× (target ≤ 2: ${met(p99 <= 2)})`);
  console.log(`slipway / BullMQ floor: ${byFloor.toFixed(3)}× req/s (target ≥ 0.7: ${met(byFloor >= 0.7)})`);
}

async function cleanUp(): Promise<void> {
  for (const p of children.reverse()) await stopChild(p).catch(() => undefined);
  if (process.env.BENCH_KEEP) console.log(`kept ${tmp} (each server's log)`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
try {
  await main();
} catch (err) {
  process.exitCode = 1;
  console.error(err);
} finally {
  await cleanUp();
}
