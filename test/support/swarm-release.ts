import type Docker from 'dockerode';
import type { PushedImage } from '../../src/core/image.ts';
import type { Release } from '../../src/core/ports/scheduler.ts';

/** A release of `image` to (service, environment) with a swarm block: quick checks, so tests stay short. */
export function swarmRelease(service: string, environment: string, image: PushedImage, settings: Record<string, unknown>): Release {
  return {
    service, environment, image, sha: image.tag.slice(4).padEnd(40, '0'), buildId: `b-${image.tag}`,
    settings: { health_path: '/index.html', start_period: 1, monitor: 1, ...settings },
  };
}

/** The page the service answers on 127.0.0.1:port (where its host-network task listens). */
export async function pageAt(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/index.html`, { headers: { connection: 'close' } });
  return res.ok ? (await res.text()).trim() : `HTTP ${res.status}`;
}

/** The service's spec as the engine keeps it. */
export async function specOf(docker: Docker, name: string): Promise<Docker.ServiceSpec & { TaskTemplate: { ContainerSpec: Record<string, unknown> } }> {
  const service = (await docker.getService(name).inspect()) as Docker.Service;
  return service.Spec as never;
}
