/**
 * `npm run bench [-- --runs N] [-- --warmup N]`: figures, not a test. Times Slipway's build stages
 * next to git and the docker CLI doing the same work on the same engine (ratio Slipway/raw):
 * a clone into a new mirror; a cold build (no images or layers of ours left; the base stays); the
 * same commit again (layer cache); a commit changing only www/index.html; and a new commit through
 * clone → build → test → push with the real stage adapters against the local registry (Slipway's
 * build given the image pushed just before as `cacheFrom`, as runBuild gives it). Own services
 * under /tmp, stopped at the end or on Ctrl-C. The CLI runs with DOCKER_BUILDKIT=0 (classic builder, as Slipway).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs as parseArgv } from 'node:util';
import type Docker from 'dockerode';
import { newBuild } from '../src/core/build.ts';
import { imageTag, taggedName, type ImageRef, type PushedImage } from '../src/core/image.ts';
import type { Checkout } from '../src/core/ports/source-fetcher.ts';
import { createDockerClient } from '../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../src/docker/image-pusher.ts';
import { createDockerTestRunner } from '../src/docker/test-runner.ts';
import { createGitSourceFetcher } from '../src/git/git-source-fetcher.ts';
import { ociLabels } from '../src/pipeline/oci-labels.ts';
import { createStaticCredentials } from '../src/registries/static-credentials.ts';
import { createTestRepo, type TestRepo } from '../test/support/git-repo.ts';
import { resultTable } from './bench/build-table.ts';
import { startLocalServices, type LocalServices } from './local-services.ts';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/hello-app', import.meta.url));
const DOCKER_CLI = '/usr/bin/docker';
/** The test spec of pipelines/hello.yml. */
const TEST_SPEC = { command: ['sh', '/check.sh'], timeout: 120, memory: 256 * 1024 * 1024, cpus: 0 };
const ROWS = ['clone, new mirror', 'build cold', 'build warm, same commit', 'build warm, no build labels', 'build warm, new index.html',
  'pipeline: clone', 'pipeline: build', 'pipeline: test', 'pipeline: push', 'pipeline: total'] as const;
type Side = 'slipway' | 'raw';
let interrupted = false;

/** One way of doing each step: Slipway's adapters, or git and the docker CLI. */
interface Ops {
  firstClone(sha: string): Promise<void>;
  clone(sha: string): Promise<void>;
  /**
   * `labelled: false` builds without the per-build labels, to show what they cost; `pipeline`
   * builds as runBuild does (Slipway: given the last image it pushed as `cacheFrom`)
   */
  build(sha: string, labelled?: boolean, pipeline?: boolean): Promise<{ image: ImageRef; hits: string }>;
  test(image: ImageRef): Promise<void>;
  push(image: ImageRef): Promise<void>;
}

/** Shared by all runs: `repository` (`<registry>/hello`) tags every build, `base` is the fixture's commit. */
interface Bench {
  root: string;
  services: LocalServices;
  docker: Docker;
  repo: TestRepo;
  repository: string;
  base: string;
  edits: number;
  recording: boolean;
  times: Map<string, number[]>;
  hits: Map<string, Set<string>>; // both keyed `<row>|<side>`
}

function parseArgs(argv: string[]): { runs: number; warmup: number } {
  const options = { runs: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' } } as const;
  const { values } = parseArgv({ args: argv, options, strict: false });
  const [runs, warmup] = [Number(values.runs), Number(values.warmup)];
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmup) || warmup < 0) {
    console.error('usage: npm run bench -- [--runs N (default 5)] [--warmup N (default 1)]');
    process.exit(2);
  }
  return { runs, warmup };
}

/** Run a program with an argument array; resolves with stdout+stderr, rejects on a non-zero exit. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: Readable } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
    let out = '';
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code, sig) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code ?? sig}\n${out.slice(-2000)}`))));
  });
}

/** "hits/steps" from classic-builder output. */
function cacheHits(output: string): string {
  return `${output.match(/Using cache/g)?.length ?? 0}/${output.match(/^Step \d+\/\d+ :/gm)?.length ?? 0}`;
}

/** The labels a Slipway build of `sha` gets (src/pipeline/oci-labels.ts), for both sides alike. */
function labelsFor(b: Bench, sha: string, labelled = true): Record<string, string> {
  if (!labelled) return {};
  const event = { kind: 'push', deliveryId: 'bench', repository: 'acme/hello', cloneUrl: b.repo.url, sha, branch: 'main' } as const;
  const committedAt = execFileSync('git', ['--git-dir', b.repo.bare, 'log', '-1', '--format=%cI', sha], { encoding: 'utf8' }).trim();
  return ociLabels(newBuild('1', 'hello', event, 0), { sha, author: 'Ada', committedAt, message: '', archive: () => Readable.from([]), readFile: async () => undefined });
}

function slipwayOps(b: Bench): Ops {
  const fetcher = createGitSourceFetcher(path.join(b.root, 'slipway-data'));
  const checkouts = new Map<string, Checkout>();
  const lines: string[] = [];
  const log = { line: (text: string) => void lines.push(text) };
  const builder = createDockerImageBuilder(b.docker);
  let lastPushed: PushedImage | undefined;
  return {
    async firstClone(sha) {
      const dir = fs.mkdtempSync(path.join(b.root, 'first-'));
      await createGitSourceFetcher(dir).fetch({ cloneUrl: b.repo.url, sha }, log);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async clone(sha) {
      checkouts.set(sha, await fetcher.fetch({ cloneUrl: b.repo.url, sha }, log));
    },
    async build(sha, labelled, pipeline) {
      lines.length = 0;
      const context = checkouts.get(sha)!.archive();
      const request = { context, dockerfile: 'Dockerfile', image: { repository: b.repository, tag: imageTag(sha) }, labels: labelsFor(b, sha, labelled), cacheFrom: pipeline ? lastPushed : undefined };
      const image = await builder.build(request, log);
      return { image, hits: cacheHits(lines.join('\n')) };
    },
    async test(image) {
      const result = await createDockerTestRunner(b.docker).run({ image, spec: TEST_SPEC }, log);
      if (!result.passed) throw new Error(`slipway test failed: ${lines.slice(-5).join('\n')}`);
    },
    async push(image) {
      lastPushed = await createDockerImagePusher(b.docker, createStaticCredentials(undefined)).push(image, log);
    },
  };
}

function rawOps(b: Bench): Ops {
  const mirror = path.join(b.root, 'raw-mirror');
  const env = { ...process.env, DOCKER_HOST: b.services.dockerHost, DOCKER_CONFIG: path.join(b.root, 'docker-config'), DOCKER_BUILDKIT: '0' };
  const docker = (...args: string[]) => run(DOCKER_CLI, args, { env });
  return {
    async firstClone() {
      const dir = fs.mkdtempSync(path.join(b.root, 'first-'));
      await run('git', ['clone', '--mirror', '--quiet', b.repo.url, dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async clone() {
      if (fs.existsSync(mirror)) await run('git', ['fetch', '--prune', '--quiet', 'origin'], { cwd: mirror });
      else await run('git', ['clone', '--mirror', '--quiet', b.repo.url, mirror]);
    },
    async build(sha, labelled) {
      const image = { repository: b.repository, tag: imageTag(sha) };
      const labels = Object.entries(labelsFor(b, sha, labelled)).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
      const git = spawn('git', ['archive', '--format=tar', sha], { cwd: mirror, stdio: ['ignore', 'pipe', 'inherit'] });
      const archived = new Promise<void>((ok, fail) => git.on('exit', (c) => (c === 0 ? ok() : fail(new Error(`git archive: exit ${c}`)))));
      const building = run(DOCKER_CLI, ['build', '--force-rm', '-t', taggedName(image), ...labels, '-f', 'Dockerfile', '-'], { env, stdin: git.stdout });
      git.stdout.destroy(); // docker holds its own copy of the pipe: `git archive | docker build -`
      const [out] = await Promise.all([building, archived]);
      return { image, hits: cacheHits(out) };
    },
    async test(image) {
      await docker('run', '--rm', '--network', 'none', '--memory', String(TEST_SPEC.memory), '--security-opt', 'no-new-privileges', taggedName(image), ...TEST_SPEC.command);
    },
    async push(image) {
      await docker('push', taggedName(image));
    },
  };
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await work();
  return [performance.now() - t0, value];
}

function record(b: Bench, row: (typeof ROWS)[number], side: Side, ms: number, hits?: string): void {
  if (!b.recording) return;
  const key = `${row}|${side}`;
  b.times.set(key, [...(b.times.get(key) ?? []), ms]);
  if (hits) b.hits.set(key, (b.hits.get(key) ?? new Set()).add(hits));
}

/** A real cold start: remove every image of ours, then dangling layers and build cache. */
async function forgetImages(b: Bench): Promise<void> {
  const tags = (await b.docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(`${b.repository}:`));
  for (const tag of tags) await b.docker.getImage(tag).remove({ force: true }); // by name: untags even an image with children
  while ((await b.docker.pruneImages()).ImagesDeleted?.length); // each round frees the parents the last one held
  await b.docker.pruneBuilder().catch(() => undefined);
  const left = (await b.docker.listImages({ all: true })).flatMap((i) => i.RepoTags ?? ['<untagged>']);
  if (left.some((t) => !t.startsWith('local/busybox:'))) throw new Error(`images left after cleanup: ${left.join(', ')}`);
}

function commitPage(b: Bench): string {
  return b.repo.commit({ 'www/index.html': `<!doctype html><title>hello</title><h1>Hello from Slipway</h1><p>edit ${++b.edits}</p>\n` }, `edit ${b.edits}`);
}

async function buildRows(b: Bench, side: Side, ops: Ops): Promise<void> {
  await forgetImages(b);
  await ops.clone(b.base);
  const [cold, c] = await timed(() => ops.build(b.base));
  record(b, 'build cold', side, cold, c.hits);
  const [warm, w] = await timed(() => ops.build(b.base));
  record(b, 'build warm, same commit', side, warm, w.hits);
  const [bare, n] = await timed(() => ops.build(b.base, false));
  record(b, 'build warm, no build labels', side, bare, n.hits);
  const sha = commitPage(b);
  await ops.clone(sha);
  const [edited, e] = await timed(() => ops.build(sha));
  record(b, 'build warm, new index.html', side, edited, e.hits);
  await ops.push(e.image); // untimed: the last push before the pipeline's build, as on a worker
}

async function pipelineRows(b: Bench, side: Side, ops: Ops): Promise<void> {
  const sha = commitPage(b);
  const [clone] = await timed(() => ops.clone(sha));
  const [build, { image, hits }] = await timed(() => ops.build(sha, true, true));
  const [test] = await timed(() => ops.test(image));
  const [push] = await timed(() => ops.push(image));
  for (const [row, ms] of [['pipeline: clone', clone], ['pipeline: build', build], ['pipeline: test', test], ['pipeline: push', push]] as const) record(b, row, side, ms);
  record(b, 'pipeline: total', side, clone + build + test + push, hits);
  const [first] = await timed(() => ops.firstClone(b.base));
  record(b, 'clone, new mirror', side, first);
}

async function machineFacts(b: Bench): Promise<string[]> {
  const info = (await b.docker.info()) as { ServerVersion: string; Driver: string; DriverStatus?: [string, string][]; CgroupVersion?: string };
  const backing = info.DriverStatus?.find(([k]) => k === 'Backing Filesystem')?.[1];
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.cpus().length);
  return [
    `machine  nproc ${nproc} · ${os.cpus()[0]?.model ?? '?'} · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB · Linux ${os.release()} · node ${process.version}`,
    `docker   engine ${info.ServerVersion} · storage driver ${info.Driver}${backing ? ` on ${backing}` : ''} · cgroup v${info.CgroupVersion ?? '?'} · classic builder`,
    `raw      ${DOCKER_CLI}: ${spawnSync(DOCKER_CLI, ['--version'], { encoding: 'utf8' }).stdout?.trim()}, DOCKER_BUILDKIT=0 · ${spawnSync('git', ['--version'], { encoding: 'utf8' }).stdout?.trim()}`,
  ];
}

async function bench(b: Bench, runs: number, warmup: number): Promise<void> {
  const sides: [Side, Ops][] = [['slipway', slipwayOps(b)], ['raw', rawOps(b)]];
  for (let i = 1 - warmup; i <= runs; i++) {
    b.recording = i >= 1;
    const order = i % 2 === 0 ? [...sides].reverse() : sides; // alternate who goes first
    for (const [side, ops] of order) {
      console.error(`bench: ${i < 1 ? 'warm-up' : `run ${i}/${runs}`}: ${side}`);
      await buildRows(b, side, ops);
      await pipelineRows(b, side, ops);
    }
  }
}

async function main(): Promise<void> {
  const { runs, warmup } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(DOCKER_CLI)) throw new Error(`${DOCKER_CLI} not found: apt-get install docker.io`);
  const root = fs.mkdtempSync('/tmp/slipway-bench-');
  let starting: Promise<LocalServices> | undefined;
  let repo: TestRepo | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await starting?.then((s) => s.stop(), () => undefined); // a failed start stops what it started
      if (repo) fs.rmSync(path.dirname(repo.bare), { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    })());
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(interrupted ? 'bench: still stopping services…' : `bench: ${sig}, stopping services`);
    interrupted = true;
    void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    console.error(`bench: starting services under ${root}`);
    starting = startLocalServices({ root });
    const services = await starting;
    repo = createTestRepo('hello');
    const base = repo.commit({ '.': { from: FIXTURE } }, 'hello-app');
    const b: Bench = { root, services, repo, base, docker: createDockerClient(services.dockerHost), repository: `${services.registry}/hello`, edits: 0, recording: false, times: new Map(), hits: new Map() };
    await bench(b, runs, warmup);
    console.log([`Slipway build benchmark: ${runs} runs (+${warmup} warm-up) of each measure, alternating which side goes first`, ...(await machineFacts(b)), '', ...resultTable(ROWS, b.times, b.hits)].join('\n'));
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    if (interrupted) return; // the SIGINT handler exits once services are stopped
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
