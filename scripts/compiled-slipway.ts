/**
 * Slipway as an operator runs it, for benchmarks: compiled JavaScript started through
 * `bin/slipway.mjs` (SLIPWAY_RUN=compiled, no TypeScript at run time), in a process of its own.
 *
 * `installCompiled` lays out an installed copy in a folder of the bench's own (package.json, bin/,
 * dist/ from `tsc -p tsconfig.build.json`, node_modules linked to the checkout's), so a bench never
 * runs `npm run build` over the dist/ another process may be running from.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Compiles src/ and workers/ into `<dir>/dist` beside a copy of bin/slipway.mjs; returns the bin path. */
export function installCompiled(dir: string): string {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'slipway-bench-copy', private: true, type: 'module' }));
  fs.copyFileSync(path.join(REPO, 'bin', 'slipway.mjs'), path.join(dir, 'bin', 'slipway.mjs'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')], { encoding: 'utf8' });
  const main = path.join(dir, 'dist/src/cli/main.js');
  // tsc emits despite type errors; a file someone is editing elsewhere in the tree should not stop a bench.
  if (!fs.existsSync(main)) throw new Error(`tsc did not emit ${main}:\n${tsc.stdout}${tsc.stderr}`);
  if (tsc.status !== 0) process.stderr.write(`bench: tsc reported type errors (the emitted JavaScript is used anyway):\n${tsc.stdout.slice(0, 2000)}\n`);
  return path.join(dir, 'bin', 'slipway.mjs');
}

export interface SlipwayProcess {
  readonly pid: number;
  readonly url: string;
  /** ms from spawn to the first 200 from /healthz */
  readonly readyMs: number;
  /** CPU time (user + system, all its threads) the process had used by then, in ms: what a busy machine cannot stretch */
  readonly readyCpuMs: number;
  /** resident set size now, in MB (VmRSS of /proc/<pid>/status) */
  rssMb(): number;
  /** SIGTERM, and SIGKILL after 15 s */
  stop(): Promise<void>;
}

/** The checkout's own bin/slipway.mjs: with SLIPWAY_RUN=source it runs the TypeScript sources through tsx. */
export const CHECKOUT_BIN = path.join(REPO, 'bin', 'slipway.mjs');

/**
 * Starts `slipway <role>` on `port` and resolves once /healthz answers 200 (polled every 5 ms).
 * `run`: the compiled JavaScript (what `npm start`, the Docker image and an installed copy run),
 * or the sources through tsx (what a checkout runs when dist/ is missing or older than them).
 */
export async function startSlipwayProcess(bin: string, role: 'server' | 'all', port: number, env: NodeJS.ProcessEnv, logFile: string, run: 'compiled' | 'source' = 'compiled'): Promise<SlipwayProcess> {
  const log = fs.openSync(logFile, 'a');
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, role], { env: { ...env, PORT: String(port), SLIPWAY_RUN: run }, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await untilHealthy(child, url, 30_000);
  } catch (err) {
    await stop();
    throw new Error(`slipway ${role} did not get ready (log: ${logFile}): ${(err as Error).message}`);
  }
  const readyMs = performance.now() - t0;
  return { pid: child.pid!, url, readyMs, readyCpuMs: cpuMs(child.pid!), rssMb: () => rssMb(child.pid!), stop };
}

async function untilHealthy(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (performance.now() > until) throw new Error(`no 200 from ${url}/healthz within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let ticksPerSecond: number | undefined;

/** utime + stime of /proc/<pid>/stat, in ms. */
export function cpuMs(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  // Fields after the command name (in parentheses, which may hold spaces): utime and stime are the 12th and 13th.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb[1]) / 1024;
}

/** SIGTERM, and SIGKILL if it has not exited 15 s later; resolves once it exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const stuck = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited.finally(() => clearTimeout(stuck));
}
