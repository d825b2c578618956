/**
 * Real local services for tests and for running Slipway on one machine: Redis, a private Docker
 * engine, a plain v2 registry and (optionally) an htpasswd-protected registry. Everything binds to
 * 127.0.0.1 or to unix sockets under `root`; every child process logs to a file in `root`.
 *
 *   const s = await startLocalServices({ root: '/tmp/slipway-x' }); ...; await s.stop();
 */
import fs from 'node:fs';
import path from 'node:path';
import { acquireAuthRegistry, acquireDocker, acquireRedis, acquireRegistry, type Started } from './acquire.ts';
import { stopDockerd } from './docker-engine.ts';
import { unmountUnder } from './mounts.ts';
import { stopProc } from './processes.ts';
import type { AuthRegistry, LocalServices, Log, StartLocalServicesOptions } from './types.ts';

export type { LocalServices, StartLocalServicesOptions } from './types.ts';
export { BUSYBOX_IMAGE } from './busybox-image.ts';
export { which } from './binaries.ts';
export { freePort } from './ports.ts';
export { dockerPing, dockerRequest, redisPing, registryStatus, socketPathOf, type DockerResponse } from './probes.ts';
export { mountsUnder } from './mounts.ts';

/** Longest socket dockerd's managed containerd makes under root: `<root>/docker/exec/containerd/containerd.sock.ttrpc`. */
const LONGEST_SOCKET_SUFFIX = '/docker/exec/containerd/containerd.sock.ttrpc';
const UNIX_PATH_MAX = 107;

function checkRootLength(root: string): void {
  if (root.length + LONGEST_SOCKET_SUFFIX.length > UNIX_PATH_MAX) {
    throw new Error(
      `root ${root} is too long (${root.length} chars): sockets under it would pass the ${UNIX_PATH_MAX}-char unix socket limit; ` +
        `use at most ${UNIX_PATH_MAX - LONGEST_SOCKET_SUFFIX.length} chars, e.g. fs.mkdtempSync('/tmp/slipway-')`,
    );
  }
}

/** A `stop` that ends what `started` holds, once, however often it is called. */
function stopper(started: Started): () => Promise<void> {
  const { root, procs, log } = started;
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      const daemon = started.daemon;
      const others = procs.filter((p) => p !== daemon?.proc);
      await Promise.all([...others.map((p) => stopProc(p, 5000, log)), daemon ? stopDockerd(daemon, log) : Promise.resolve()]);
      // a dockerd attempt that failed to start was stopped already; make sure nothing is left mounted
      if (procs.some((p) => p.name === 'docker')) unmountUnder(path.join(root, 'docker'), log);
      log(`services stopped`);
    })();
    return stopping;
  };
}

/** Start (or, with `reuse`, adopt) every service in parallel; on any failure stop what started and throw all reasons. */
export async function startLocalServices(opts: StartLocalServicesOptions): Promise<LocalServices> {
  const log: Log = opts.log ?? (() => {});
  const root = path.resolve(opts.root);
  checkRootLength(root);
  fs.mkdirSync(root, { recursive: true });
  const t0 = Date.now();
  const started: Started = { root, log, procs: [] };
  const stop = stopper(started);
  const settled = await Promise.allSettled([
    acquireRedis(opts, started),
    acquireDocker(opts, started),
    acquireRegistry(opts, started),
    acquireAuthRegistry(opts, started),
  ]);
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (errors.length) {
    await stop();
    throw new Error(`local services failed to start:\n\n${errors.map((e) => e?.message ?? String(e)).join('\n\n')}`);
  }
  const [redisUrl, dockerHost, registry, authRegistry] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    string,
    string,
    string,
    AuthRegistry | undefined,
  ];
  log(`all services up in ${Date.now() - t0} ms`);
  const services: LocalServices = { redisUrl, dockerHost, registry, stop };
  if (authRegistry) services.authRegistry = authRegistry;
  return services;
}
