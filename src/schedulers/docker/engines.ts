import type Docker from 'dockerode';
import { describeError, SlipwayError } from '../../core/errors.ts';
import { redactUrl } from '../../core/redact-url.ts';

/** An engine a rollout deploys on: its client, and how the deploy log names it. */
export interface Engine {
  readonly docker: Docker;
  /** `unix:///var/run/docker.sock (DOCKER_HOST)`, `tcp://10.0.0.5:2376 (docker.host)` */
  readonly label: string;
}

/** The engine for a block's `docker.host`; undefined: the worker's own. */
export type EngineFor = (host: string | undefined) => Engine;

/**
 * The engines a `docker` scheduler deploys on: the worker's own (DOCKER_HOST) for blocks without
 * `host`, and one client per distinct `docker.host`, made on first use and kept for every later
 * deploy (a client holds its connections; a new one per deploy would leak them). A host the
 * worker cannot speak to (https:// without DOCKER_TLS_VERIFY, certificates it cannot read) is
 * refused as SCHEDULER_REJECTED: retrying will not change the configuration. `key` is the block
 * key that names a host (`docker.host`, `swarm.host`), for labels and messages.
 */
export function createEngines(own: Docker, connect: (host: string) => Docker, key = 'docker.host'): EngineFor {
  const worker: Engine = { docker: own, label: `${engineAddress(own)} (DOCKER_HOST)` };
  const named = new Map<string, Engine>();
  return (host) => {
    if (host === undefined) return worker;
    let engine = named.get(host);
    if (!engine) {
      engine = { docker: connectTo(connect, host, key), label: `${redactUrl(host)} (${key})` };
      named.set(host, engine);
    }
    return engine;
  };
}

function connectTo(connect: (host: string) => Docker, host: string, key: string): Docker {
  try {
    return connect(host);
  } catch (err) {
    throw new SlipwayError('SCHEDULER_REJECTED', `${key} ${redactUrl(host)}: ${describeError(err)}`, { cause: err });
  }
}

/** The address a client speaks to, from docker-modem's own fields: `unix:///…` or `http://host:port`. */
export function engineAddress(docker: Docker): string {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
  if (typeof modem.socketPath === 'string' && modem.socketPath !== '') return `unix://${modem.socketPath}`;
  const host = typeof modem.host === 'string' && modem.host.includes(':') ? `[${modem.host}]` : String(modem.host ?? 'localhost');
  return `${typeof modem.protocol === 'string' ? modem.protocol : 'http'}://${host}${modem.port ? `:${String(modem.port)}` : ''}`;
}
