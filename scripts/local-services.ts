/**
 * Real local services for tests and for running Slipway on one machine:
 * Redis, a private Docker engine, a plain v2 registry and (optionally) an
 * htpasswd-protected registry. Everything binds to 127.0.0.1 or to unix sockets
 * under `root`; every child process logs to a file in `root`.
 *
 * Library:  const s = await startLocalServices({ root: '/tmp/slipway-x' }); ...; await s.stop();
 * CLI:      node --import tsx scripts/local-services.ts [--root DIR] [--auth-registry] [--reuse]
 *           starts everything, prints `export VAR=value` lines, runs until Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface LocalServices {
  redisUrl: string; // redis://127.0.0.1:<port>
  dockerHost: string; // unix:///<root>/docker.sock  (DOCKER_HOST form)
  registry: string; // "127.0.0.1:<port>" plain registry, no auth
  authRegistry?: { host: string; username: string; password: string }; // htpasswd-protected registry, only when opts.authRegistry
  stop(): Promise<void>; // stops only what this call started (SIGTERM, wait, then SIGKILL), unmounts leftovers
}

export interface StartLocalServicesOptions {
  root: string; // folder for data/sockets/logs; keep it SHORT (unix socket paths ≤ 107 chars)
  redisPort?: number;
  registryPort?: number; // default: pick free ports
  authRegistry?: boolean;
  reuse?: boolean; // if a service already answers at the given/env address, use it instead of starting one
  log?: (line: string) => void;
}

export const BUSYBOX_IMAGE = 'local/busybox';
const BUSYBOX_TAG = 'latest';
const AUTH_USERNAME = 'slipway';
/** Longest socket dockerd's managed containerd makes under root: `<root>/docker/exec/containerd/containerd.sock.ttrpc`. */
const LONGEST_SOCKET_SUFFIX = '/docker/exec/containerd/containerd.sock.ttrpc';
const UNIX_PATH_MAX = 107;

/** Debian package that provides each binary we run. */
const PACKAGE_FOR: Record<string, string> = {
  'redis-server': 'redis-server',
  dockerd: 'docker.io',
  containerd: 'containerd',
  runc: 'runc',
  'docker-registry': 'docker-registry',
  htpasswd: 'apache2-utils',
  busybox: 'busybox-static',
  tar: 'tar',
  umount: 'mount',
};

function installHint(bin: string): string {
  const pkg = PACKAGE_FOR[path.basename(bin)] ?? path.basename(bin);
  return `install ${pkg}: apt-get install ${pkg} (or run: bash scripts/setup.sh)`;
}

// ---------------------------------------------------------------------------
// processes

const EXTRA_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function searchPath(): string[] {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const d of EXTRA_PATH) if (!dirs.includes(d)) dirs.push(d);
  return dirs;
}

function childEnv(): NodeJS.ProcessEnv {
  // dockerd looks up containerd, runc, docker-init and docker-proxy on PATH; sbin may be missing for non-root shells.
  return { ...process.env, PATH: searchPath().join(':') };
}

/** Absolute path of an executable, or undefined. */
export function which(bin: string): string | undefined {
  const candidates = bin.includes('/') ? [bin] : searchPath().map((d) => path.join(d, bin));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function requireBin(bin: string): string {
  const found = which(bin);
  if (!found) throw new Error(`${bin} not found on PATH: ${installHint(bin)}`);
  return found;
}

interface Proc {
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

function spawnLogged(name: string, bin: string, args: string[], logFile: string): Proc {
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

function failure(proc: Proc, what: string): Error {
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
async function waitReady(proc: Proc, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
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

function signal(pid: number, sig: NodeJS.Signals, group = false): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    if (group) signal(pid, sig, false);
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL the process group. */
async function stopProc(proc: Proc, graceMs: number, log: (l: string) => void): Promise<void> {
  if (proc.exited || proc.pid < 0) return;
  signal(proc.pid, 'SIGTERM');
  await within(proc.exit, graceMs);
  if (!proc.exited) {
    log(`${proc.name}: still running ${graceMs} ms after SIGTERM, sending SIGKILL`);
    signal(proc.pid, 'SIGKILL', true);
    await within(proc.exit, 5000);
  }
}

// ---------------------------------------------------------------------------
// probes

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** PING a Redis server (AUTH first when the URL carries a password). */
export function redisPing(redisUrl: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(redisUrl);
    } catch {
      return resolve(false);
    }
    const cmd = (...parts: string[]) =>
      `*${parts.length}\r\n` + parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('');
    let out = '';
    const expected = url.password ? 2 : 1; // replies to wait for: AUTH (when sent) and PING
    const sock = net.connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.on('connect', () => {
      let payload = '';
      const pw = decodeURIComponent(url.password);
      if (pw) payload += url.username ? cmd('AUTH', decodeURIComponent(url.username), pw) : cmd('AUTH', pw);
      sock.write(payload + cmd('PING'));
    });
    sock.on('data', (d) => {
      out += d.toString('latin1');
      const replies = out.split('\r\n').filter((l) => l.startsWith('+') || l.startsWith('-'));
      if (replies.includes('+PONG')) done(true);
      else if (replies.length >= expected) done(false);
    });
  });
}

export interface DockerResponse {
  status: number;
  body: Buffer;
}

/** One request to the Engine API over its unix socket. */
export function dockerRequest(
  socketPath: string,
  method: string,
  apiPath: string,
  opts: { body?: Buffer | Readable; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<DockerResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path: apiPath, headers: { Host: 'docker', ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`docker ${method} ${apiPath}: timed out`)));
    req.on('error', reject);
    const body = opts.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (e) => req.destroy(e));
      body.pipe(req);
    }
  });
}

export async function dockerPing(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const r = await dockerRequest(socketPath, 'GET', '/_ping', { timeoutMs });
    return r.status === 200 && r.body.toString() === 'OK';
  } catch {
    return false;
  }
}

/** HTTP status of GET http://<host>/v2/ (0 when nothing answers). */
export function registryStatus(host: string, auth?: { username: string; password: string }, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (auth) headers.Authorization = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    const req = http.get(`http://${host}/v2/`, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export function socketPathOf(dockerHost: string): string {
  if (!dockerHost.startsWith('unix://')) throw new Error(`not a unix socket DOCKER_HOST: ${dockerHost}`);
  return dockerHost.slice('unix://'.length);
}

// ---------------------------------------------------------------------------
// mounts and leftovers

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const p = unescapeMount(mp);
    if (p === dir || p.startsWith(dir + '/')) found.add(p);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

function unmountUnder(dir: string, log: (l: string) => void): void {
  const umount = which('umount');
  for (let round = 0; round < 5; round++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) return;
    if (!umount) {
      log(`cannot unmount ${mounts.length} leftover mounts under ${dir}: umount not found`);
      return;
    }
    for (const m of mounts) {
      const r = spawnSync(umount, ['-l', m], { encoding: 'utf8' });
      if (r.status !== 0 && round === 4) log(`umount -l ${m} failed: ${(r.stderr || '').trim()}`);
    }
  }
  const left = mountsUnder(dir);
  if (left.length) log(`still mounted under ${dir}: ${left.join(', ')}`);
}

interface ProcInfo {
  pid: number;
  ppid: number;
  args: string[];
}

function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const args = fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const stat = fs.readFileSync(`/proc/${n}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(n), ppid, args });
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Kill what our dockerd left behind: its containerd, containerd shims (they name sockets under
 * `<root>/docker/`) and the container processes below them. Only processes whose command line
 * names a path under our own docker folder are touched.
 */
function killDockerLeftovers(dockerDir: string, log: (l: string) => void): number {
  const procs = listProcesses();
  const marked = new Set<number>();
  for (const p of procs) {
    if (p.pid === process.pid) continue;
    if (p.args.some((a) => a === dockerDir || a.startsWith(dockerDir + '/') || a.includes(`=${dockerDir}/`))) marked.add(p.pid);
  }
  if (marked.size === 0) return 0;
  // add descendants (container processes live below their shim)
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!marked.has(p.pid) && marked.has(p.ppid) && p.pid !== process.pid) {
        marked.add(p.pid);
        grew = true;
      }
    }
  }
  for (const pid of marked) signal(pid, 'SIGKILL');
  log(`docker: killed ${marked.size} leftover processes (containerd, shims, containers)`);
  return marked.size;
}

// ---------------------------------------------------------------------------
// services

type Log = (line: string) => void;

/** Start with a free port (retrying on a lost race for it) or with the fixed one given. */
async function withPort<T>(fixed: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  if (fixed !== undefined) return start(fixed);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (e) {
      if (attempt < 3 && /address already in use/i.test(String((e as Error).message))) continue;
      throw e;
    }
  }
}

async function startRedis(root: string, port: number, procs: Proc[], log: Log): Promise<string> {
  const dir = path.join(root, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const proc = spawnLogged(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', ''],
    path.join(root, 'redis.log'),
  );
  procs.push(proc);
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitReady(proc, () => redisPing(url, 500), 15_000);
  } catch (e) {
    await stopProc(proc, 2000, log);
    throw e;
  }
  log(`redis: ${url} (pid ${proc.pid}, ${Date.now() - t0} ms)`);
  return url;
}

function registryConfig(root: string, name: string, port: number, htpasswdFile?: string): string {
  const q = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(path.join(root, name, 'data'))}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${q(`127.0.0.1:${port}`)}`,
    `  secret: ${q(crypto.randomBytes(16).toString('hex'))}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
  ];
  if (htpasswdFile) {
    lines.push('auth:', '  htpasswd:', '    realm: slipway-test-registry', `    path: ${q(htpasswdFile)}`);
  }
  return lines.join('\n') + '\n';
}

async function startRegistry(
  root: string,
  name: string,
  port: number,
  procs: Proc[],
  log: Log,
  auth?: { username: string; password: string },
): Promise<string> {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  let htpasswdFile: string | undefined;
  if (auth) {
    htpasswdFile = path.join(dir, 'htpasswd');
    const htpasswd = requireBin('htpasswd');
    const r = spawnSync(htpasswd, ['-Bbn', auth.username, auth.password], { encoding: 'utf8' });
    if (r.error || r.status !== 0 || !r.stdout.startsWith(`${auth.username}:$2`)) {
      throw new Error(`${name}: htpasswd -Bbn failed: ${r.error?.message ?? r.stderr.trim()}`);
    }
    fs.writeFileSync(htpasswdFile, r.stdout.trim() + '\n', { mode: 0o600 });
  }
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, registryConfig(root, name, port, htpasswdFile));
  const t0 = Date.now();
  const proc = spawnLogged(name, 'docker-registry', ['serve', config], path.join(root, `${name}.log`));
  procs.push(proc);
  const host = `127.0.0.1:${port}`;
  const want = auth ? 401 : 200;
  try {
    await waitReady(proc, async () => (await registryStatus(host, undefined, 500)) === want, 15_000);
    if (auth && (await registryStatus(host, auth)) !== 200) throw failure(proc, 'rejects the generated credentials');
  } catch (e) {
    await stopProc(proc, 2000, log);
    throw e;
  }
  log(`${name}: http://${host}/v2/${auth ? ` (htpasswd, user ${auth.username})` : ''} (pid ${proc.pid}, ${Date.now() - t0} ms)`);
  return host;
}

function dockerdSupports(dockerd: string, flag: string): boolean {
  const r = spawnSync(dockerd, ['--help'], { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.includes(flag);
}

interface DockerDaemon {
  proc: Proc;
  socketPath: string;
  dockerDir: string;
  driver: string;
}

async function startDockerd(root: string, procs: Proc[], log: Log): Promise<DockerDaemon> {
  const dockerd = requireBin('dockerd');
  requireBin('containerd');
  requireBin('runc');
  const dockerDir = path.join(root, 'docker');
  const socketPath = path.join(root, 'docker.sock');
  const pidfile = path.join(dockerDir, 'docker.pid');
  fs.mkdirSync(dockerDir, { recursive: true });
  unmountUnder(dockerDir, log); // a killed earlier daemon in this root leaves mounts behind
  // a pid file of a daemon that still runs makes dockerd refuse to start: say so plainly
  try {
    const old = Number(fs.readFileSync(pidfile, 'utf8').trim());
    if (old > 0 && fs.existsSync(`/proc/${old}`)) {
      const cmd = fs.readFileSync(`/proc/${old}/cmdline`, 'utf8');
      if (cmd.includes('dockerd')) throw new Error(`docker: a dockerd (pid ${old}) already runs for ${root}; stop it or use another root (or reuse: true)`);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const base = [
    '--bridge=none',
    '--iptables=false',
    '--ip-masq=false',
    ...(dockerdSupports(dockerd, '--ip6tables') ? ['--ip6tables=false'] : []),
    '--data-root', path.join(dockerDir, 'data'),
    '--exec-root', path.join(dockerDir, 'exec'),
    '--host', `unix://${socketPath}`,
    '--pidfile', pidfile,
  ];
  // SLIPWAY_DOCKER_STORAGE_DRIVER=vfs (or a list to try in order, e.g. "overlay2,vfs") overrides;
  // by default dockerd picks its own (overlay2 here) and vfs is the fallback when that fails.
  const forced = (process.env.SLIPWAY_DOCKER_STORAGE_DRIVER ?? '').split(',').map((d) => d.trim()).filter(Boolean);
  const drivers: (string | undefined)[] = forced.length ? forced : [undefined, 'vfs'];
  let lastError: Error | undefined;
  for (const driver of drivers) {
    const t0 = Date.now();
    const args = driver ? [...base, '--storage-driver', driver] : base;
    const proc = spawnLogged('docker', dockerd, args, path.join(root, 'docker.log'));
    procs.push(proc);
    try {
      await waitReady(proc, () => dockerPing(socketPath, 1000), 60_000);
    } catch (e) {
      lastError = e as Error;
      await stopProc(proc, 10_000, log);
      killDockerLeftovers(dockerDir, log);
      unmountUnder(dockerDir, log);
      const next = drivers[drivers.indexOf(driver) + 1];
      if (next) log(`docker: dockerd failed with storage driver ${driver ?? '(default)'}, retrying with ${next}`);
      continue;
    }
    let used = driver ?? 'default';
    try {
      const info = JSON.parse((await dockerRequest(socketPath, 'GET', '/info')).body.toString()) as { Driver?: string };
      used = info.Driver ?? used;
    } catch {
      /* informational only */
    }
    log(`docker: unix://${socketPath} (dockerd pid ${proc.pid}, storage driver ${used}, ${Date.now() - t0} ms)`);
    return { proc, socketPath, dockerDir, driver: used };
  }
  throw lastError ?? new Error('docker: dockerd did not start');
}

async function stopDockerd(d: DockerDaemon, log: Log): Promise<void> {
  if (!d.proc.exited) {
    // kill containers first so the daemon shuts down quickly (PID 1 in a container ignores SIGTERM)
    try {
      const r = await dockerRequest(d.socketPath, 'GET', '/containers/json', { timeoutMs: 3000 });
      const running = JSON.parse(r.body.toString()) as { Id: string }[];
      await Promise.all(
        running.map((c) => dockerRequest(d.socketPath, 'POST', `/containers/${c.Id}/kill`, { timeoutMs: 5000 }).catch(() => undefined)),
      );
      if (running.length) log(`docker: killed ${running.length} running containers`);
    } catch {
      /* the daemon may be wedged; SIGTERM/SIGKILL below */
    }
    const t0 = Date.now();
    await stopProc(d.proc, 20_000, log);
    log(`docker: dockerd exited ${Date.now() - t0} ms after SIGTERM`);
  }
  killDockerLeftovers(d.dockerDir, log);
  unmountUnder(d.dockerDir, log);
  unmountUnder(path.dirname(d.dockerDir), log);
}

/** ELF program headers contain PT_INTERP → dynamically linked (useless inside an empty rootfs). */
function isDynamicElf(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const h = Buffer.alloc(64);
    fs.readSync(fd, h, 0, 64, 0);
    if (h.readUInt32BE(0) !== 0x7f454c46 || h[5] !== 1) return false; // not little-endian ELF: don't judge
    const is64 = h[4] === 2;
    const phoff = is64 ? Number(h.readBigUInt64LE(0x20)) : h.readUInt32LE(0x1c);
    const phentsize = is64 ? h.readUInt16LE(0x36) : h.readUInt16LE(0x2a);
    const phnum = is64 ? h.readUInt16LE(0x38) : h.readUInt16LE(0x2c);
    const ph = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return true;
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

function makeBusyboxRootfs(dir: string): void {
  const busybox = fs.existsSync('/bin/busybox') ? '/bin/busybox' : which('busybox');
  if (!busybox) throw new Error(`busybox: /bin/busybox not found: ${installHint('busybox')}`);
  if (isDynamicElf(busybox)) {
    throw new Error(`busybox: ${busybox} is dynamically linked and cannot run in an empty image: ${installHint('busybox')}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'var/tmp', 'home', 'proc', 'sys', 'dev']) {
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  }
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.chmodSync(path.join(dir, 'var/tmp'), 0o1777);
  fs.copyFileSync(busybox, path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  const list = spawnSync(busybox, ['--list-full'], { encoding: 'utf8' });
  let applets = (list.stdout ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
  if (list.status !== 0 || applets.length === 0) {
    const plain = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
    applets = (plain.stdout ?? '').split('\n').map((s) => s.trim()).filter(Boolean).map((a) => `bin/${a}`);
  }
  if (applets.length === 0) throw new Error(`busybox: ${busybox} --list printed no applets`);
  for (const rel of applets) {
    if (rel === 'bin/busybox' || rel.includes('..')) continue;
    const link = path.join(dir, rel);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    try {
      fs.symlinkSync('/bin/busybox', link);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  // every applet also reachable as /bin/<name> (scripts that hard-code /bin/...)
  for (const rel of applets) {
    const link = path.join(dir, 'bin', path.basename(rel));
    if (!fs.existsSync(link) && !rel.includes('..')) fs.symlinkSync('/bin/busybox', link);
  }
  fs.writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

/** Make `local/busybox:latest` in the engine unless it is there already. */
async function ensureBusyboxImage(socketPath: string, root: string, log: Log): Promise<void> {
  const ref = `${BUSYBOX_IMAGE}:${BUSYBOX_TAG}`;
  const existing = await dockerRequest(socketPath, 'GET', `/images/${ref}/json`);
  if (existing.status === 200) {
    log(`docker: ${ref} already present`);
    return;
  }
  const t0 = Date.now();
  const rootfs = path.join(root, 'busybox-rootfs');
  makeBusyboxRootfs(rootfs);
  const tar = spawn(requireBin('tar'), ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-c', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tarErr = '';
  tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString()));
  const tarExit = new Promise<number | null>((resolve) => {
    tar.once('exit', (code) => resolve(code));
    tar.once('error', () => resolve(-1));
  });
  const q = new URLSearchParams({ fromSrc: '-', repo: BUSYBOX_IMAGE, tag: BUSYBOX_TAG, message: 'slipway local base image' });
  q.append('changes', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  q.append('changes', 'CMD ["sh"]');
  const res = await dockerRequest(socketPath, 'POST', `/images/create?${q}`, {
    body: tar.stdout,
    headers: { 'Content-Type': 'application/x-tar' },
    timeoutMs: 120_000,
  });
  const code = await tarExit;
  const text = res.body.toString();
  if (code !== 0) throw new Error(`docker: tar of ${rootfs} failed (exit ${code}): ${tarErr.trim()}`);
  if (res.status !== 200 || /"error(Detail)?"\s*:/.test(text)) {
    throw new Error(`docker: import of ${ref} failed (HTTP ${res.status}): ${text.trim().slice(0, 2000)}`);
  }
  const check = await dockerRequest(socketPath, 'GET', `/images/${ref}/json`);
  if (check.status !== 200) throw new Error(`docker: ${ref} missing after import: ${text.trim().slice(0, 2000)}`);
  fs.rmSync(rootfs, { recursive: true, force: true });
  log(`docker: imported ${ref} from ${fs.realpathSync('/bin/busybox')} (${Date.now() - t0} ms)`);
}

// ---------------------------------------------------------------------------
// entry point

export async function startLocalServices(opts: StartLocalServicesOptions): Promise<LocalServices> {
  const log: Log = opts.log ?? (() => {});
  const root = path.resolve(opts.root);
  if (root.length + LONGEST_SOCKET_SUFFIX.length > UNIX_PATH_MAX) {
    throw new Error(
      `root ${root} is too long (${root.length} chars): sockets under it would pass the ${UNIX_PATH_MAX}-char unix socket limit; ` +
        `use at most ${UNIX_PATH_MAX - LONGEST_SOCKET_SUFFIX.length} chars, e.g. fs.mkdtempSync('/tmp/slipway-')`,
    );
  }
  fs.mkdirSync(root, { recursive: true });
  const t0 = Date.now();
  const procs: Proc[] = [];
  let daemon: DockerDaemon | undefined;
  const reuse = opts.reuse === true;

  const redisP = (async (): Promise<string> => {
    if (reuse) {
      const candidate = opts.redisPort ? `redis://127.0.0.1:${opts.redisPort}` : process.env.REDIS_URL;
      if (candidate && (await redisPing(candidate))) {
        log(`redis: reusing ${candidate}`);
        return candidate;
      }
    }
    return withPort(opts.redisPort, (port) => startRedis(root, port, procs, log));
  })();

  const dockerP = (async (): Promise<string> => {
    let socketPath: string | undefined;
    if (reuse) {
      const own = path.join(root, 'docker.sock');
      const envHost = process.env.DOCKER_HOST?.startsWith('unix://') ? socketPathOf(process.env.DOCKER_HOST) : undefined;
      for (const candidate of [envHost, own]) {
        if (candidate && (await dockerPing(candidate))) {
          socketPath = candidate;
          log(`docker: reusing unix://${candidate}`);
          break;
        }
      }
    }
    if (!socketPath) {
      daemon = await startDockerd(root, procs, log);
      socketPath = daemon.socketPath;
    }
    await ensureBusyboxImage(socketPath, root, log);
    return `unix://${socketPath}`;
  })();

  const registryP = (async (): Promise<string> => {
    if (reuse) {
      const candidate = opts.registryPort ? `127.0.0.1:${opts.registryPort}` : process.env.SLIPWAY_TEST_REGISTRY;
      if (candidate && (await registryStatus(candidate)) === 200) {
        log(`registry: reusing ${candidate}`);
        return candidate;
      }
    }
    return withPort(opts.registryPort, (port) => startRegistry(root, 'registry', port, procs, log));
  })();

  const authP = (async (): Promise<LocalServices['authRegistry']> => {
    if (!opts.authRegistry) return undefined;
    if (reuse) {
      const host = process.env.SLIPWAY_TEST_AUTH_REGISTRY;
      const username = process.env.SLIPWAY_TEST_AUTH_USERNAME;
      const password = process.env.SLIPWAY_TEST_AUTH_PASSWORD;
      if (host && username && password && (await registryStatus(host)) === 401 && (await registryStatus(host, { username, password })) === 200) {
        log(`auth-registry: reusing ${host}`);
        return { host, username, password };
      }
    }
    const creds = { username: AUTH_USERNAME, password: crypto.randomBytes(18).toString('base64url') };
    const host = await withPort(undefined, (port) => startRegistry(root, 'auth-registry', port, procs, log, creds));
    return { host, ...creds };
  })();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const others = procs.filter((p) => p !== daemon?.proc);
      await Promise.all([
        ...others.map((p) => stopProc(p, 5000, log)),
        daemon ? stopDockerd(daemon, log) : Promise.resolve(),
      ]);
      // a dockerd attempt that failed to start was stopped already; make sure nothing is left mounted
      if (procs.some((p) => p.name === 'docker')) unmountUnder(path.join(root, 'docker'), log);
      log(`services stopped`);
    })();
    return stopping;
  };

  const settled = await Promise.allSettled([redisP, dockerP, registryP, authP]);
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (errors.length) {
    await stop();
    const err = new Error(`local services failed to start:\n\n${errors.map((e) => e?.message ?? String(e)).join('\n\n')}`);
    throw err;
  }
  const [redisUrl, dockerHost, registry, authRegistry] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    string,
    string,
    string,
    LocalServices['authRegistry'],
  ];
  log(`all services up in ${Date.now() - t0} ms`);
  const services: LocalServices = { redisUrl, dockerHost, registry, stop };
  if (authRegistry) services.authRegistry = authRegistry;
  return services;
}

// ---------------------------------------------------------------------------
// CLI: run the services for a local Slipway until Ctrl-C

async function main(argv: string[]): Promise<void> {
  let root: string | undefined;
  let auth = false;
  let reuse = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root') root = argv[++i];
    else if (a?.startsWith('--root=')) root = a.slice('--root='.length);
    else if (a === '--auth-registry') auth = true;
    else if (a === '--reuse') reuse = true;
    else {
      console.error(`usage: node --import tsx scripts/local-services.ts [--root DIR] [--auth-registry] [--reuse]`);
      process.exit(2);
    }
  }
  const made = !root;
  root ??= fs.mkdtempSync(path.join(os.tmpdir().length < 20 ? os.tmpdir() : '/tmp', 'slipway-'));
  const s = await startLocalServices({ root, authRegistry: auth, reuse, log: (l) => console.error(`[local-services] ${l}`) });
  console.log(`export REDIS_URL=${s.redisUrl}`);
  console.log(`export DOCKER_HOST=${s.dockerHost}`);
  console.log(`export SLIPWAY_REGISTRY=${s.registry}`);
  console.log(`export SLIPWAY_TEST_REGISTRY=${s.registry}`);
  if (s.authRegistry) {
    console.log(`export SLIPWAY_TEST_AUTH_REGISTRY=${s.authRegistry.host}`);
    console.log(`export SLIPWAY_TEST_AUTH_USERNAME=${s.authRegistry.username}`);
    console.log(`export SLIPWAY_TEST_AUTH_PASSWORD=${s.authRegistry.password}`);
  }
  console.error(`[local-services] running; logs in ${root}; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await s.stop();
  if (made && mountsUnder(root).length === 0) fs.rmSync(root, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
