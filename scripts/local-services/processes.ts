/** Child processes of the services: spawn with a log file, wait until ready, stop (TERM, then KILL). */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childEnv, installHint, requireBin } from './binaries.ts';
import type { Log } from './types.ts';

/** One service process we started, and how it ended once it has. */
export interface Proc {
  name: string;
  bin: string;
  args: string[];
  logFile: string;
  child: ChildProcess;
  pid: number;
  exited: boolean;
  exitInfo?: { code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException };
  exit: Promise<void>;
}

/** Spawn `bin` in its own process group with stdout and stderr appended to `logFile`. */
export function spawnLogged(name: string, bin: string, args: string[], logFile: string): Proc {
  const resolved = requireBin(bin);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `--- ${new Date().toISOString()} ${resolved} ${args.map((a) => JSON.stringify(a)).join(' ')}\n`);
  let child: ChildProcess;
  try {
    // detached: own process group, so a terminal's Ctrl-C reaches only us and we stop services in order.
    child = spawn(resolved, args, { stdio: ['ignore', fd, fd], detached: true, env: childEnv() });
  } finally {
    fs.closeSync(fd);
  }
  const proc = { name, bin, args, logFile, child, pid: child.pid ?? -1, exited: false } as Proc;
  proc.exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      proc.exited = true;
      proc.exitInfo ??= { code, signal };
      resolve();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      // spawn failure (ENOENT, EACCES): there is no process and no 'exit' event
      if (child.pid === undefined) {
        proc.exited = true;
        proc.exitInfo = { code: null, signal: null, error };
        resolve();
      }
    });
  });
  return proc;
}

function logTail(file: string, lines = 20): string {
  try {
    const st = fs.statSync(file);
    const len = Math.min(st.size, 64 * 1024);
    const buf = Buffer.alloc(len);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, buf, 0, len, st.size - len);
    } finally {
      fs.closeSync(fd);
    }
    const all = buf.toString('utf8').split('\n');
    if (all.at(-1) === '') all.pop();
    const tail = all.filter((l) => !l.includes('module=grpc')).slice(-lines); // dockerd's gRPC chatter says nothing
    return tail.length ? tail.map((l) => `  | ${l}`).join('\n') : '  | (log is empty)';
  } catch {
    return `  | (no log at ${file})`;
  }
}

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** An error naming the process, how it ended, its command line and the tail of its log. */
export function failure(proc: Proc, what: string): Error {
  const info = proc.exitInfo;
  let msg = `${proc.name}: ${what}`;
  if (info?.error) {
    msg += ` (${info.error.code ?? info.error.message})`;
    if (info.error.code === 'ENOENT') msg += `: ${proc.bin} is missing — ${installHint(proc.bin)}`;
  } else if (info) {
    msg += ` (exit code ${info.code}${info.signal ? `, signal ${info.signal}` : ''})`;
  }
  msg += `\ncommand: ${[proc.bin, ...proc.args].map(shellQuote).join(' ')}\nlast lines of ${proc.logFile}:\n${logTail(proc.logFile)}`;
  return new Error(msg);
}

/** Poll `check` until it is true; throw (quoting the log) if the process exits or time runs out. */
export async function waitReady(proc: Proc, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  for (;;) {
    if (proc.exited) throw failure(proc, 'exited during start');
    if (await check().catch(() => false)) return;
    if (proc.exited) throw failure(proc, 'exited during start');
    if (Date.now() > deadline) throw failure(proc, `not ready after ${Math.round(timeoutMs / 1000)} s`);
    await within(proc.exit, delay);
    delay = Math.min(delay * 2, 250);
  }
}

/** Wait for `p` at most `ms`; the timer is cleared so it never keeps the process alive. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Send `sig` to a process (or its group, falling back to the process); never throws. */
export function signal(pid: number, sig: NodeJS.Signals, group = false): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    if (group) signal(pid, sig, false);
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL the process group. */
export async function stopProc(proc: Proc, graceMs: number, log: Log): Promise<void> {
  if (proc.exited || proc.pid < 0) return;
  signal(proc.pid, 'SIGTERM');
  await within(proc.exit, graceMs);
  if (!proc.exited) {
    log(`${proc.name}: still running ${graceMs} ms after SIGTERM, sending SIGKILL`);
    signal(proc.pid, 'SIGKILL', true);
    await within(proc.exit, 5000);
  }
}
