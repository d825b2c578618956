import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerScheduler } from '../../src/schedulers/docker/docker-scheduler.ts';
import { containerName } from '../../src/schedulers/docker/release-container.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { schedulerContract } from './scheduler-contract.ts';

/** The `docker` adapter against the real test engine: the engine itself says what runs. */
schedulerContract('docker', async () => {
  const docker = createDockerClient(testEnv().dockerHost);
  const ports = new Map<string, number>();
  const names: string[] = [];
  return {
    scheduler: createDockerScheduler(docker, { healthIntervalMs: 100 }),
    unreachable: createDockerScheduler(createDockerClient('unix:///nonexistent/docker.sock')),
    async settings(service) {
      const port = ports.get(service) ?? (await freePort());
      ports.set(service, port);
      names.push(containerName(service, 'production'));
      return { port, health_path: '/index.html' };
    },
    async running(service, environment, settings) {
      const info = await docker.getContainer(containerName(service, environment)).inspect().catch(() => undefined);
      if (!info?.State.Running) return undefined;
      const answered = await fetch(`http://127.0.0.1:${settings.port}/index.html`).then((r) => r.ok, () => false);
      return answered ? info.Config.Image.split('@')[1] : undefined;
    },
    // The engine refuses a memory limit under 6 MB (400): a job the scheduler itself rejects.
    rejectedSettings: async (service) => ({ port: ports.get(service), health_path: '/index.html', memory: 1024 }),
    async close() {
      for (const name of names) {
        for (const n of [name, `${name}-previous`, `${name}-next`]) await docker.getContainer(n).remove({ force: true }).catch(() => undefined);
      }
    },
  };
});
