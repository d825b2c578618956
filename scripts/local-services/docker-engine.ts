/**
 * A private dockerd under root: its own data and exec roots, socket at <root>/docker.sock, no
 * bridge and no iptables. Stopping it also kills what it leaves behind and unmounts its mounts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireBin } from './binaries.ts';
import { killDockerLeftovers } from './docker-leftovers.ts';
import { unmountUnder } from './mounts.ts';
import { dockerPing, dockerRequest } from './probes.ts';
import { spawnLogged, stopProc, waitReady, type Proc } from './processes.ts';
import type { Log } from './types.ts';

/** A dockerd we started: its process, socket, folder and the storage driver it reported. */
export interface DockerDaemon {
  proc: Proc;
  socketPath: string;
  dockerDir: string;
  driver: string;
}

function dockerdSupports(dockerd: string, flag: string): boolean {
  const r = spawnSync(dockerd, ['--help'], { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.includes(flag);
}

/** A pid file of a daemon that still runs makes dockerd refuse to start: say so plainly. */
function refuseRunningDaemon(pidfile: string, root: string): void {
  try {
    const old = Number(fs.readFileSync(pidfile, 'utf8').trim());
    if (old > 0 && fs.existsSync(`/proc/${old}`)) {
      const cmd = fs.readFileSync(`/proc/${old}/cmdline`, 'utf8');
      if (cmd.includes('dockerd')) throw new Error(`docker: a dockerd (pid ${old}) already runs for ${root}; stop it or use another root (or reuse: true)`);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function dockerdArgs(dockerd: string, dockerDir: string, socketPath: string, pidfile: string): string[] {
  return [
    '--bridge=none',
    '--iptables=false',
    '--ip-masq=false',
    ...(dockerdSupports(dockerd, '--ip6tables') ? ['--ip6tables=false'] : []),
    '--data-root', path.join(dockerDir, 'data'),
    '--exec-root', path.join(dockerDir, 'exec'),
    '--host', `unix://${socketPath}`,
    '--pidfile', pidfile,
  ];
}

/** Storage drivers to try in order; `undefined` lets dockerd pick its own. */
function storageDrivers(): (string | undefined)[] {
  // SLIPWAY_DOCKER_STORAGE_DRIVER=vfs (or a list to try in order, e.g. "overlay2,vfs") overrides;
  // by default dockerd picks its own (overlay2 here) and vfs is the fallback when that fails.
  const forced = (process.env.SLIPWAY_DOCKER_STORAGE_DRIVER ?? '').split(',').map((d) => d.trim()).filter(Boolean);
  return forced.length ? forced : [undefined, 'vfs'];
}

async function reportedDriver(socketPath: string, fallback: string): Promise<string> {
  try {
    const info = JSON.parse((await dockerRequest(socketPath, 'GET', '/info')).body.toString()) as { Driver?: string };
    return info.Driver ?? fallback;
  } catch {
    return fallback; // informational only
  }
}

/** Start dockerd under `root`, trying each storage driver until one answers /_ping; the process(es) join `procs`. */
export async function startDockerd(root: string, procs: Proc[], log: Log): Promise<DockerDaemon> {
  const dockerd = requireBin('dockerd');
  requireBin('containerd');
  requireBin('runc');
  const dockerDir = path.join(root, 'docker');
  const socketPath = path.join(root, 'docker.sock');
  const pidfile = path.join(dockerDir, 'docker.pid');
  fs.mkdirSync(dockerDir, { recursive: true });
  unmountUnder(dockerDir, log); // a killed earlier daemon in this root leaves mounts behind
  refuseRunningDaemon(pidfile, root);
  const base = dockerdArgs(dockerd, dockerDir, socketPath, pidfile);
  const drivers = storageDrivers();
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
    const used = await reportedDriver(socketPath, driver ?? 'default');
    log(`docker: unix://${socketPath} (dockerd pid ${proc.pid}, storage driver ${used}, ${Date.now() - t0} ms)`);
    return { proc, socketPath, dockerDir, driver: used };
  }
  throw lastError ?? new Error('docker: dockerd did not start');
}

/** Kill running containers so the daemon shuts down quickly (PID 1 in a container ignores SIGTERM). */
async function killRunningContainers(socketPath: string, log: Log): Promise<void> {
  try {
    const r = await dockerRequest(socketPath, 'GET', '/containers/json', { timeoutMs: 3000 });
    const running = JSON.parse(r.body.toString()) as { Id: string }[];
    await Promise.all(
      running.map((c) => dockerRequest(socketPath, 'POST', `/containers/${c.Id}/kill`, { timeoutMs: 5000 }).catch(() => undefined)),
    );
    if (running.length) log(`docker: killed ${running.length} running containers`);
  } catch {
    /* the daemon may be wedged; SIGTERM/SIGKILL follow */
  }
}

/** Stop the daemon (containers first), kill its leftovers and unmount what it mounted. */
export async function stopDockerd(d: DockerDaemon, log: Log): Promise<void> {
  if (!d.proc.exited) {
    await killRunningContainers(d.socketPath, log);
    const t0 = Date.now();
    await stopProc(d.proc, 20_000, log);
    log(`docker: dockerd exited ${Date.now() - t0} ms after SIGTERM`);
  }
  killDockerLeftovers(d.dockerDir, log);
  unmountUnder(d.dockerDir, log);
  unmountUnder(path.dirname(d.dockerDir), log);
}
