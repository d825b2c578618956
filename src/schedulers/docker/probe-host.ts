import type Docker from 'dockerode';

/**
 * Where a release on the engine's host network answers health probes: the engine's own host when
 * it is reached over TCP (a remote Docker host), this machine when it is reached over a socket.
 */
export function probeHost(docker: Docker): string {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown };
  if (typeof modem.socketPath === 'string' && modem.socketPath !== '') return '127.0.0.1';
  const host = typeof modem.host === 'string' && modem.host !== '' ? modem.host : '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
