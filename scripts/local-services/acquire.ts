/**
 * One step per service of `startLocalServices`: with `reuse`, take a service that already answers
 * at the given or env address; otherwise start our own and record it in `Started` so `stop` can end it.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { ensureBusyboxImage } from './busybox-image.ts';
import { startDockerd, type DockerDaemon } from './docker-engine.ts';
import { withPort } from './ports.ts';
import { dockerPing, redisPing, registryStatus, socketPathOf } from './probes.ts';
import type { Proc } from './processes.ts';
import { startRedis } from './redis.ts';
import { startRegistry } from './registry.ts';
import type { AuthRegistry, Log, StartLocalServicesOptions } from './types.ts';

const AUTH_USERNAME = 'slipway';

/** What one `startLocalServices` call started, and so must stop. */
export interface Started {
  root: string;
  log: Log;
  procs: Proc[];
  daemon?: DockerDaemon;
}

/** Redis URL: reused (opts.redisPort or REDIS_URL) or a redis-server of our own. */
export async function acquireRedis(opts: StartLocalServicesOptions, s: Started): Promise<string> {
  if (opts.reuse === true) {
    const candidate = opts.redisPort ? `redis://127.0.0.1:${opts.redisPort}` : process.env.REDIS_URL;
    if (candidate && (await redisPing(candidate))) {
      s.log(`redis: reusing ${candidate}`);
      return candidate;
    }
  }
  return withPort(opts.redisPort, (port) => startRedis(s.root, port, s.procs, s.log, opts.durableRedis === true));
}

async function reusableDockerSocket(root: string, log: Log): Promise<string | undefined> {
  const own = path.join(root, 'docker.sock');
  const envHost = process.env.DOCKER_HOST?.startsWith('unix://') ? socketPathOf(process.env.DOCKER_HOST) : undefined;
  for (const candidate of [envHost, own]) {
    if (candidate && (await dockerPing(candidate))) {
      log(`docker: reusing unix://${candidate}`);
      return candidate;
    }
  }
  return undefined;
}

/** DOCKER_HOST of an engine (reused: DOCKER_HOST or <root>/docker.sock; else our own) that has local/busybox. */
export async function acquireDocker(opts: StartLocalServicesOptions, s: Started): Promise<string> {
  let socketPath = opts.reuse === true ? await reusableDockerSocket(s.root, s.log) : undefined;
  if (!socketPath) {
    s.daemon = await startDockerd(s.root, s.procs, s.log);
    socketPath = s.daemon.socketPath;
  }
  await ensureBusyboxImage(socketPath, s.root, s.log);
  return `unix://${socketPath}`;
}

/** Plain registry host: reused (opts.registryPort or SLIPWAY_TEST_REGISTRY) or our own. */
export async function acquireRegistry(opts: StartLocalServicesOptions, s: Started): Promise<string> {
  if (opts.reuse === true) {
    const candidate = opts.registryPort ? `127.0.0.1:${opts.registryPort}` : process.env.SLIPWAY_TEST_REGISTRY;
    if (candidate && (await registryStatus(candidate)) === 200) {
      s.log(`registry: reusing ${candidate}`);
      return candidate;
    }
  }
  return withPort(opts.registryPort, (port) => startRegistry(s.root, 'registry', port, s.procs, s.log));
}

/** The htpasswd registry when opts.authRegistry: reused from SLIPWAY_TEST_AUTH_* or our own with fresh credentials. */
export async function acquireAuthRegistry(opts: StartLocalServicesOptions, s: Started): Promise<AuthRegistry | undefined> {
  if (!opts.authRegistry) return undefined;
  if (opts.reuse === true) {
    const host = process.env.SLIPWAY_TEST_AUTH_REGISTRY;
    const username = process.env.SLIPWAY_TEST_AUTH_USERNAME;
    const password = process.env.SLIPWAY_TEST_AUTH_PASSWORD;
    if (host && username && password && (await registryStatus(host)) === 401 && (await registryStatus(host, { username, password })) === 200) {
      s.log(`auth-registry: reusing ${host}`);
      return { host, username, password };
    }
  }
  const creds = { username: AUTH_USERNAME, password: crypto.randomBytes(18).toString('base64url') };
  const host = await withPort(undefined, (port) => startRegistry(s.root, 'auth-registry', port, s.procs, s.log, creds));
  return { host, ...creds };
}
