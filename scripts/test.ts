/**
 * `npm test [-- filters...]`: start real local services (Redis, a private Docker engine with
 * local/busybox, a plain and an htpasswd registry) under a short temp root, run the node:test
 * suite against them one file at a time, stop everything, remove the root, and exit with the
 * test runner's code.
 *
 * Arguments: a file or folder runs those test files; any other word keeps only the test files
 * whose path contains it; `--option=value` arguments go to `node --test` (e.g.
 * `--test-name-pattern=push`). SLIPWAY_TEST_REUSE=1 reuses services already answering at
 * REDIS_URL / DOCKER_HOST / SLIPWAY_TEST_REGISTRY / SLIPWAY_TEST_AUTH_*; SLIPWAY_TEST_VERBOSE=1
 * prints the service start-up log. After the services stop it warns about entries that appeared
 * in /tmp during the run and are still there (tests remove what they make), then prints a summary
 * (the 10 slowest files, then every failing test with its file, name path and error), so the last
 * lines of a run say what failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mountsUnder, startLocalServices, type LocalServices } from './local-services.ts';
import { readOutcomes, summarize } from './test-outcomes.ts';
import { watchTempFolders } from './temp-leftovers.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function findTests(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

function selectFiles(args: string[]): { files: string[]; nodeOptions: string[] } {
  const nodeOptions = args.filter((a) => a.startsWith('-'));
  const words = args.filter((a) => !a.startsWith('-'));
  const all = findTests(path.join(repo, 'test'));
  if (words.length === 0) return { files: all.map(rel), nodeOptions };
  const picked = new Set<string>();
  for (const w of words) {
    const abs = path.resolve(w);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    let matched: string[];
    if (st?.isFile()) matched = [abs];
    else if (st?.isDirectory()) matched = findTests(abs);
    else matched = all.filter((f) => path.relative(repo, f).includes(w));
    if (matched.length === 0) {
      console.error(`test: no test file matches "${w}"`);
      process.exit(1);
    }
    for (const m of matched) picked.add(m);
  }
  return { files: [...picked].sort().map(rel), nodeOptions };
}

async function main(): Promise<number> {
  const { files, nodeOptions } = selectFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.error('test: no test files found under test/');
    return 1;
  }

  let interrupted: NodeJS.Signals | undefined;
  let child: ChildProcess | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      console.error(`test: ${sig} again — still stopping services, please wait`);
      return;
    }
    interrupted = sig;
    console.error(`test: ${sig}, stopping`);
    if (child && child.exitCode === null) child.kill(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const root = fs.mkdtempSync('/tmp/slipway-');
  const tempLeftovers = watchTempFolders(); // after the root: it has its own message when kept
  const verbose = process.env.SLIPWAY_TEST_VERBOSE === '1';
  let services: LocalServices | undefined;
  let code = 1;
  let keepRoot = false;
  let summary: string[] = []; // printed last of all, so the tail of the output says what failed
  try {
    const t0 = Date.now();
    try {
      services = await startLocalServices({
        root,
        authRegistry: true,
        reuse: process.env.SLIPWAY_TEST_REUSE === '1',
        log: verbose ? (l) => console.error(`[services] ${l}`) : undefined,
      });
    } catch (e) {
      console.error(e instanceof Error ? e.message : e);
      console.error(`test: services failed to start; logs kept in ${root}`);
      keepRoot = true;
      return 1;
    }
    const auth = services.authRegistry!;
    console.log(`redis          ${services.redisUrl}`);
    console.log(`docker         ${services.dockerHost}`);
    console.log(`registry       ${services.registry}`);
    console.log(`auth registry  ${auth.host} (user ${auth.username})`);
    console.log(`services up in ${((Date.now() - t0) / 1000).toFixed(1)} s; running ${files.length} test file(s)`);
    if (interrupted) return interrupted === 'SIGINT' ? 130 : 143;

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: services.redisUrl,
      DOCKER_HOST: services.dockerHost,
      SLIPWAY_TEST_REGISTRY: services.registry,
      SLIPWAY_TEST_AUTH_REGISTRY: auth.host,
      SLIPWAY_TEST_AUTH_USERNAME: auth.username,
      SLIPWAY_TEST_AUTH_PASSWORD: auth.password,
    };
    const outcomes = path.join(root, 'test-outcomes.jsonl');
    const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...withOutcomeReporter(nodeOptions, outcomes), ...files];
    child = spawn(process.execPath, args, { stdio: 'inherit', env });
    code = await new Promise<number>((resolve) => {
      child!.once('error', (e) => {
        console.error(`test: cannot run node --test: ${e.message}`);
        resolve(1);
      });
      child!.once('exit', (c, sig) => resolve(c ?? 128 + (sig === 'SIGINT' ? 2 : sig === 'SIGKILL' ? 9 : 15)));
    });
    summary = summarize(readOutcomes(outcomes), code);
    if (interrupted) code = interrupted === 'SIGINT' ? 130 : 143;
    return code;
  } finally {
    if (services) {
      try {
        await services.stop();
      } catch (e) {
        console.error(`test: stopping services: ${e instanceof Error ? e.message : e}`);
      }
    }
    const left = mountsUnder(root);
    if (left.length) console.error(`test: ${left.length} mounts still under ${root}; not removing it`);
    else if (!keepRoot) fs.rmSync(root, { recursive: true, force: true });
    warnAboutLeftovers(tempLeftovers());
    for (const line of summary) console.log(line);
  }
}

/**
 * The node options plus the outcome reporter writing to `file`. The reporters asked for are kept
 * (each gets stdout when none was given a destination); with none, node's default: spec on a
 * terminal, TAP otherwise.
 */
function withOutcomeReporter(nodeOptions: string[], file: string): string[] {
  const reporters = nodeOptions.filter((o) => o.startsWith('--test-reporter='));
  const destinations = nodeOptions.filter((o) => o.startsWith('--test-reporter-destination='));
  const own = [`--test-reporter=${pathToFileURL(path.join(repo, 'scripts/test-outcome-reporter.mjs')).href}`, `--test-reporter-destination=${file}`];
  if (reporters.length === 0) return [...nodeOptions, `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout', ...own];
  if (destinations.length === 0) return [...nodeOptions, ...reporters.map(() => '--test-reporter-destination=stdout'), ...own];
  return [...nodeOptions, ...own];
}

/** Names what appeared in the temp folders and stayed; removes nothing (it may be someone else's). */
function warnAboutLeftovers(paths: string[]): void {
  if (paths.length === 0) return;
  console.error(`test: warning: ${paths.length} new temp entries still there after the run (left by a test, or made by another process meanwhile; nothing removed):`);
  for (const p of paths) console.error(`  ${p}`);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
