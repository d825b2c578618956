import type Docker from 'dockerode';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { serviceName } from '../../src/schedulers/swarm/service-spec.ts';
import { createSwarmScheduler } from '../../src/schedulers/swarm/swarm-scheduler.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { startSwarmEngine } from '../support/swarm-engine.ts';
import { schedulerContract } from './scheduler-contract.ts';

/**
 * The `swarm` adapter against a real engine in swarm mode (one of this file's own, so swarm
 * init and leave never touch the shared test engine): the engine itself says what runs.
 */
schedulerContract('swarm', async () => {
  const swarm = await startSwarmEngine();
  const buildEngine = createDockerClient(testEnv().dockerHost);
  const ports = new Map<string, number>();
  const block = (port: number) => ({ host: swarm.dockerHost, port, health_path: '/index.html', start_period: 1, monitor: 1 });
  return {
    scheduler: createSwarmScheduler(buildEngine, { intervalMs: 200 }),
    unreachable: createSwarmScheduler(buildEngine, { connect: () => createDockerClient('unix:///nonexistent/docker.sock') }),
    async settings(service) {
      const port = ports.get(service) ?? (await freePort());
      ports.set(service, port);
      return block(port);
    },
    running: (service, environment, settings) => runningDigest(swarm.docker, serviceName(service, environment), Number(settings.port)),
    // The engine refuses a health check start period under 1 ms (400): a job it rejects.
    rejectedSettings: async (service) => ({ ...block(ports.get(service) ?? 0), start_period: 0.0001 }),
    close: () => swarm.stop(),
  };
});

/** The digest of the image the service's spec names, when a task of it runs and answers. */
async function runningDigest(docker: Docker, name: string, port: number): Promise<string | undefined> {
  const service = (await docker.getService(name).inspect().catch(() => undefined)) as Docker.Service | undefined;
  const image = (service?.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec?.Image;
  if (!service || !image) return undefined;
  const tasks = (await docker.listTasks({ filters: JSON.stringify({ service: [service.ID], 'desired-state': ['running'] }) })) as {
    Status: { State: string }; Spec: { ContainerSpec: { Image: string } };
  }[];
  if (!tasks.some((t) => t.Status.State === 'running' && t.Spec.ContainerSpec.Image === image)) return undefined;
  const answered = await fetch(`http://127.0.0.1:${port}/index.html`).then((r) => r.ok, () => false);
  return answered ? image.split('@')[1] : undefined;
}
