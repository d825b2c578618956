import Docker from 'dockerode';
import { SlipwayError } from '../core/errors.ts';

const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * A dockerode client for one engine, from a `DOCKER_HOST` value: `unix:///path/docker.sock`,
 * `tcp://host:port` or `http://host:port`; undefined means the engine's default socket.
 * Every connection option is given explicitly so that the process environment (which
 * docker-modem would otherwise read) cannot redirect the client.
 * Throws CONFIG_INVALID for a form it does not support (ssh://, npipe://, TLS).
 */
export function createDockerClient(dockerHost?: string): Docker {
  if (dockerHost === undefined || dockerHost === '') return new Docker(socketOptions(DEFAULT_SOCKET));
  if (dockerHost.startsWith('unix://')) return new Docker(socketOptions(dockerHost.slice('unix://'.length) || DEFAULT_SOCKET));
  const url = parseUrl(dockerHost);
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:') {
    throw new SlipwayError('CONFIG_INVALID', `DOCKER_HOST ${dockerHost} is not supported: use unix://, tcp:// or http://`);
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
