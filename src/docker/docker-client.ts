import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { SlipwayError } from '../core/errors.ts';

const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * A dockerode client for one engine, from a `DOCKER_HOST` value: `unix:///path/docker.sock`,
 * `tcp://host:port` or `http://host:port`; undefined means the engine's default socket.
 * Every connection option is given explicitly so that the process environment (which
 * docker-modem would otherwise read) cannot redirect the client; TLS comes from Docker's own
 * variables, read here (see `dockerTlsFromEnv`): a TCP engine is then spoken to over https
 * (default port 2376) with the client certificate, verifying the engine against the CA.
 * Throws CONFIG_INVALID for a form it does not support (ssh://, npipe://) or unreadable certificates.
 */
export function createDockerClient(dockerHost?: string, tls: DockerTls | undefined = dockerTlsFromEnv()): Docker {
  if (dockerHost === undefined || dockerHost === '') return new Docker(socketOptions(DEFAULT_SOCKET));
  if (dockerHost.startsWith('unix://')) return new Docker(socketOptions(dockerHost.slice('unix://'.length) || DEFAULT_SOCKET));
  const url = parseUrl(dockerHost);
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && !(tls && url.protocol === 'https:')) {
    throw new SlipwayError('CONFIG_INVALID', `DOCKER_HOST ${dockerHost} is not supported: use unix://, tcp:// or http:// (https:// with DOCKER_TLS_VERIFY)`);
  }
  if (tls) {
    return new Docker({
      socketPath: undefined,
      protocol: 'https',
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || '2376',
      pathPrefix: url.pathname || '/',
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
    } as Docker.DockerOptions);
  }
  return new Docker({
    socketPath: undefined,
    protocol: 'http',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || '2375',
    pathPrefix: url.pathname || '/',
  } as Docker.DockerOptions);
}

function socketOptions(socketPath: string): Docker.DockerOptions {
  return { socketPath, host: undefined, port: undefined, protocol: 'http' } as Docker.DockerOptions;
}

function parseUrl(dockerHost: string): URL {
  try {
    return new URL(dockerHost);
  } catch (cause) {
    throw new SlipwayError('CONFIG_INVALID', `DOCKER_HOST ${dockerHost} is not a URL such as unix:///var/run/docker.sock or tcp://127.0.0.1:2375`, { cause });
  }
}

/** The CA that signed the engine's certificate, and this client's certificate and key (PEM). */
export interface DockerTls {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Docker's own TLS variables, as the docker CLI reads them: `DOCKER_TLS_VERIFY` set (non-empty)
 * turns TLS with verification on; the files are `ca.pem`, `cert.pem` and `key.pem` in
 * `DOCKER_CERT_PATH` (default ~/.docker). Undefined when TLS is off. Throws CONFIG_INVALID naming
 * a file it cannot read.
 */
export function dockerTlsFromEnv(env: NodeJS.ProcessEnv = process.env): DockerTls | undefined {
  if (!env.DOCKER_TLS_VERIFY) return undefined;
  const dir = env.DOCKER_CERT_PATH || join(homedir(), '.docker');
  const read = (name: string) => {
    const file = join(dir, name);
    try {
      return readFileSync(file);
    } catch (cause) {
      throw new SlipwayError('CONFIG_INVALID', `DOCKER_TLS_VERIFY is set but ${file} cannot be read (DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem): ${(cause as Error).message}`, { cause });
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}
