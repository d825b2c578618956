/**
 * `npm run bench:cold [-- --runs N] [-- --warmup N]`: figures, not a test. What a worker's first
 * build of a service costs next to a warm worker's: two Docker engines (the local services' one,
 * and a second with its own data root standing in for a new worker), the htpasswd registry
 * between them. Each run pushes a commit from the warm worker (the service's last build), then
 * times a commit changing only an application file: on the warm worker; on the new worker with
 * nothing but the base image (cold); on the new worker given the last pushed image as `cacheFrom`
 * (Slipway's builder pulls it with the registry credentials). Two measures each: the build alone
 * (for the new worker with cache-from, its pull inside it), and the commit's fetch plus the build
 * as runBuild does them (the new worker makes a new mirror; the pull starts before the fetch). Three
 * jobs are also timed whole, as a push waits for them: fetch, build, the test container, the push.
 * The new engine is emptied back to its base image before each of its jobs. Two rows give the new
 * worker an image before the job, untimed: the one pushed before this run's (warmed at its start),
 * and this run's own (it followed the push, as a running build worker does). The service's
 * Dockerfile has a dependency step costing what an `npm ci` might (CPU, and a 35 MB layer of
 * text), then copies the application. Own services under /tmp, stopped at the end.
 * `BENCH_DEBUG=1` prints every job's log lines with the milliseconds since the job started.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs as parseArgv } from 'node:util';
import type Docker from 'dockerode';
import { imageTag, type PushedImage } from '../src/core/image.ts';
import { createDockerClient } from '../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../src/docker/image-pusher.ts';
import { createDockerTestRunner } from '../src/docker/test-runner.ts';
import { readJsonStream } from '../src/docker/json-stream.ts';
import type { SourceFetcher } from '../src/core/ports/source-fetcher.ts';
import { createGitSourceFetcher } from '../src/git/git-source-fetcher.ts';
import { createStaticCredentials } from '../src/registries/static-credentials.ts';
import { createTestRepo, type TestRepo } from '../test/support/git-repo.ts';
import { startSecondEngine, type SecondEngine } from '../test/support/second-engine.ts';
import { makeTempDir, removeTempDirs } from '../test/support/temp-dir.ts';
import { BUSYBOX_IMAGE, startLocalServices, type LocalServices } from './local-services.ts';

/**
 * The dependency step stands in for `npm ci`: seconds of CPU (hashing 128 MB) and a 35 MB layer
 * of text (node_modules is mostly text), which the registry carries to a new worker gzipped.
 */
const DOCKERFILE = [
  `FROM ${BUSYBOX_IMAGE}`,
  'COPY deps.txt /deps/deps.txt',
  'RUN head -c 134217728 /dev/urandom | sha256sum > /deps/sum && seq 1 4500000 > /deps/modules.txt',
  'COPY app /app',
  '',
].join('\n');
const ROWS = [
  'build: warm worker (built the last commit)',
  'build: new worker, no cache-from (cold)',
  'build: new worker, cache-from (its pull included)',
  'clone+build: warm worker (fetch into its mirror)',
  'clone+build: new worker (new mirror), no cache-from',
  'clone+build: new worker (new mirror), cache-from pulled during the clone',
  'clone+build: new worker, warmed at its start (before the last push)',
  'clone+build: new worker that followed the last push',
  'job: warm worker (fetch, build, test, push)',
  'job: new worker (new mirror), cache-from pulled during the clone',
  'job: new worker that followed the last push',
] as const;
type Row = (typeof ROWS)[number];
/** what a row times: `build`, `clone+build` or `job` */
const measureOf = (row: Row) => row.split(':')[0];

function parseArgs(argv: string[]): { runs: number; warmup: number } {
  const options = { runs: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' } } as const;
  const { values } = parseArgv({ args: argv, options, strict: false });
  const [runs, warmup] = [Number(values.runs), Number(values.warmup)];
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmup) || warmup < 0) {
    console.error('usage: npm run bench:cold -- [--runs N (default 5)] [--warmup N (default 1)]');
    process.exit(2);
  }
  return { runs, warmup };
}

interface Bench {
  services: LocalServices;
  warm: Docker;
  fresh: SecondEngine;
  repo: TestRepo;
  repository: string;
  credentials: ReturnType<typeof createStaticCredentials>;
  /** the warm worker's */
  fetcher: SourceFetcher;
  edits: number;
  /** the image the run before pushed: what a worker that started before this run's push warmed up with */
  previous?: PushedImage;
  /** the tag of the commit the last run measured */
  lastTag?: string;
  times: Map<Row, number[]>;
  hits: Map<Row, Set<string>>;
}

/** "hits/steps" from classic-builder output. */
function cacheHits(lines: string[]): string {
  const output = lines.join('\n');
  return `${output.match(/Using cache/g)?.length ?? 0}/${output.match(/^Step \d+\/\d+ :/gm)?.length ?? 0}`;
}

function commitApp(b: Bench): string {
  return b.repo.commit({ 'app/index.html': `<h1>edit ${++b.edits}</h1>\n` }, `edit ${b.edits}`);
}

/** One worker's part of a build job: fetch the commit, build it, with what runBuild gives the builder. */
interface Job {
  docker: Docker;
  /** the warm worker's fetcher (its mirror exists), or undefined for a new worker's (a new mirror) */
  fetcher?: SourceFetcher;
  cacheFrom?: PushedImage;
  /** start the cache-from pull before the fetch, as runBuild does */
  prefetch?: boolean;
  /** then test the image in a container and push it, as runBuild does (`rest` in the result) */
  whole?: boolean;
}

/** The service's test: a command in the built image, under the limits a pipeline's `test:` gets by default. */
const TEST = { command: ['cat', '/app/index.html'], timeout: 60, memory: 0, cpus: 0 };

/** Runs a job on `sha`; resolves with its fetch and build times (and test-and-push time, `whole`) and the build's log. */
async function job(b: Bench, sha: string, j: Job): Promise<{ clone: number; build: number; rest: number; lines: string[]; image: { repository: string; tag: string } }> {
  const lines: string[] = [];
  let t0 = performance.now();
  const log = { line: (l: string) => void (lines.push(l), process.env.BENCH_DEBUG && console.error(Math.round(performance.now() - t0), l)) };
  const fetcher = j.fetcher ?? createGitSourceFetcher(makeTempDir('sw-bench-cold-data-'));
  const image = { repository: b.repository, tag: imageTag(sha) };
  const builder = createDockerImageBuilder(j.docker, { registryCredentials: b.credentials });
  t0 = performance.now();
  if (j.cacheFrom && j.prefetch) builder.prefetch?.(b.repository, j.cacheFrom, log);
  const checkout = await fetcher.fetch({ cloneUrl: b.repo.url, sha }, { line: () => {} });
  const t1 = performance.now();
  await builder.build({ context: checkout.archive(), dockerfile: 'Dockerfile', image, labels: { 'org.opencontainers.image.revision': sha }, cacheFrom: j.cacheFrom }, log);
  const t2 = performance.now();
  if (j.whole) {
    const tested = await createDockerTestRunner(j.docker).run({ image, spec: TEST }, log);
    if (!tested.passed) throw new Error(`the test failed:\n${lines.join('\n')}`);
    await createDockerImagePusher(j.docker, b.credentials).push(image, log);
  }
  return { clone: t1 - t0, build: t2 - t1, rest: performance.now() - t2, lines, image };
}

/** The new engine back to nothing but its base image: every other image and layer, and build cache, gone. */
async function emptyEngine(docker: Docker): Promise<void> {
  for (const image of await docker.listImages({ all: true })) {
    if (!(image.RepoTags ?? []).includes(`${BUSYBOX_IMAGE}:latest`)) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
  }
  while ((await docker.pruneImages()).ImagesDeleted?.length);
  const left = (await docker.listImages({ all: true })).filter((i) => !(i.RepoTags ?? []).includes(`${BUSYBOX_IMAGE}:latest`));
  if (left.length > 0) throw new Error(`images left on the new engine: ${left.map((i) => i.Id).join(', ')}`);
}

async function oneRun(b: Bench, recording: boolean): Promise<void> {
  // The service's last build, on the warm worker, pushed: what the store names as lastPushed.
  const last = await job(b, commitApp(b), { docker: b.warm, fetcher: b.fetcher });
  const pushed = await createDockerImagePusher(b.warm, b.credentials).push(last.image, { line: () => {} });
  const previous = b.previous;
  b.previous = pushed;
  const sha = commitApp(b);
  b.lastTag = imageTag(sha);
  const fresh = b.fresh.docker;
  const jobs: [rows: Row[], run: () => ReturnType<typeof job>][] = [
    [[ROWS[0], ROWS[3], ROWS[8]], () => job(b, sha, { docker: b.warm, fetcher: b.fetcher, cacheFrom: pushed, prefetch: true, whole: true })],
    [[ROWS[1], ROWS[4]], async () => (await emptyEngine(fresh), job(b, sha, { docker: fresh }))],
    [[ROWS[2]], async () => (await emptyEngine(fresh), job(b, sha, { docker: fresh, cacheFrom: pushed }))],
    [[ROWS[5], ROWS[9]], async () => (await emptyEngine(fresh), job(b, sha, { docker: fresh, cacheFrom: pushed, prefetch: true, whole: true }))],
  ];
  // The new worker holding an image before the job, pulled untimed: the one pushed before this
  // run's (the build cache warmer at its start), or this run's (it followed the push, as a running worker does).
  const holding = (image: PushedImage, whole = false) => async () => {
    await emptyEngine(fresh);
    await createDockerImageBuilder(fresh, { registryCredentials: b.credentials }).prefetch?.(b.repository, image, { line: () => {} });
    return job(b, sha, { docker: fresh, cacheFrom: pushed, prefetch: true, whole });
  };
  if (previous) jobs.push([[ROWS[6]], holding(previous)]);
  jobs.push([[ROWS[7], ROWS[10]], holding(pushed, true)]);
  if (b.edits % 4 === 0) jobs.reverse(); // alternate who goes first
  for (const [rows, run] of jobs) {
    const { clone, build, rest, lines } = await run();
    if (rows.includes(ROWS[2]) || rows.includes(ROWS[5]) || rows.includes(ROWS[6])) {
      if (!lines.some((l) => l.startsWith('Build cache: pulled'))) throw new Error(`the new engine did not pull ${pushed.tag}:\n${lines.join('\n')}`);
    }
    if (rows.includes(ROWS[7]) && lines.some((l) => l.startsWith('Build cache: pull'))) throw new Error(`the worker that followed the push pulled again:\n${lines.join('\n')}`);
    if (!recording) continue;
    for (const row of rows) {
      const measure = measureOf(row);
      b.times.set(row, [...(b.times.get(row) ?? []), measure === 'build' ? build : measure === 'job' ? clone + build + rest : clone + build]);
      b.hits.set(row, (b.hits.get(row) ?? new Set()).add(cacheHits(lines)));
    }
  }
}

const median = (xs: number[]) => ((s) => (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2)([...xs].sort((x, y) => x - y));
const fmt = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function table(b: Bench): string[] {
  const rows = [['a commit changing only app/index.html', 'median (min–max)', '× warm', 'cache hits']];
  for (const row of ROWS) {
    const xs = b.times.get(row);
    if (!xs) continue;
    // each measure's first row is the warm worker's
    const warm = median(b.times.get(ROWS.find((r) => measureOf(r) === measureOf(row))!)!);
    rows.push([row, `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`, `${(median(xs) / warm).toFixed(2)}×`, [...b.hits.get(row)!].join(',')]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

async function machineFacts(b: Bench): Promise<string[]> {
  const info = (await b.warm.info()) as { ServerVersion: string; Driver: string };
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.cpus().length);
  const size = (await b.warm.getImage(`${b.repository}:${b.lastTag}`).inspect()).Size;
  return [
    `machine  nproc ${nproc} · ${os.cpus()[0]?.model ?? '?'} · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB · Linux ${os.release()} · node ${process.version}`,
    `docker   two engines ${info.ServerVersion} (${info.Driver}), classic builder · htpasswd registry on 127.0.0.1 · image ${(size / 2 ** 20).toFixed(0)} MB`,
  ];
}

async function main(): Promise<void> {
  const { runs, warmup } = parseArgs(process.argv.slice(2));
  const root = makeTempDir('sw-bench-cold-');
  let services: LocalServices | undefined;
  let fresh: SecondEngine | undefined;
  const cleanup = async () => {
    await fresh?.stop().catch(() => undefined);
    await services?.stop().catch(() => undefined);
    removeTempDirs();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    console.error(`bench:cold: starting services under ${root}`);
    services = await startLocalServices({ root, authRegistry: true });
    fresh = await startSecondEngine();
    const warm = createDockerClient(services.dockerHost);
    // The base image as a registry would give it to any worker: the same image on both engines.
    await readJsonStream(await fresh.docker.loadImage(await warm.getImage(BUSYBOX_IMAGE).get()));
    const auth = services.authRegistry!;
    const repo = createTestRepo('cold');
    repo.commit({ Dockerfile: DOCKERFILE, 'deps.txt': 'left-pad@1.3.0\n', 'app/index.html': '<h1>hello</h1>\n' }, 'the service');
    const b: Bench = {
      services, warm, fresh, repo, repository: `${auth.host}/cold`, edits: 0, times: new Map(), hits: new Map(),
      credentials: createStaticCredentials({ username: auth.username, password: auth.password, serveraddress: auth.host }),
      fetcher: createGitSourceFetcher(makeTempDir('sw-bench-cold-data-')),
    };
    for (let i = 1 - warmup; i <= runs; i++) {
      console.error(`bench:cold: ${i < 1 ? 'warm-up' : `run ${i}/${runs}`}`);
      await oneRun(b, i >= 1);
    }
    console.log([`Slipway first build on a new worker: ${runs} runs (+${warmup} warm-up), each build of the same commit`, ...(await machineFacts(b)), '', ...table(b)].join('\n'));
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench:cold: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  },
);
