/**
 * The `ecs` adapter passes the scheduler contract against the ECS emulator, whose tasks run in
 * the real test Docker engine from images in the real test registry. Each service is seeded the
 * way DESIGN.md requires (it exists, with a task definition, running a first image).
 */
import { pinnedName } from '../../src/core/image.ts';
import { createEcsScheduler } from '../../src/schedulers/ecs/ecs-scheduler.ts';
import { startEcsEmulator } from '../emulators/ecs.ts';
import { siteTaskDefinition } from '../emulators/ecs/site-task.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { publishSite } from '../support/images.ts';
import { schedulerContract } from './scheduler-contract.ts';

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } as const;

schedulerContract('ecs', async () => {
  // The adapter takes credentials from the SDK's default chain, which reads process.env.
  const saved = Object.fromEntries(Object.keys(CREDENTIALS).map((k) => [k, process.env[k]]));
  Object.assign(process.env, CREDENTIALS);
  const ecs = await startEcsEmulator({ dockerHost: testEnv().dockerHost, timeScale: 0.05 });
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  return {
    scheduler: createEcsScheduler({ region: 'us-east-1', ecsEndpoint: ecs.url }, { pollIntervalMs: 200, maxAttempts: 2 }),
    unreachable: createEcsScheduler({ region: 'us-east-1', ecsEndpoint: nowhere }, { pollIntervalMs: 200, maxAttempts: 1 }),
    async settings(service) {
      const first = await publishSite(service, 'the first release, deployed by hand');
      await ecs.seedService({ cluster: 'contract', service, taskDefinition: siteTaskDefinition(service, pinnedName(first)) });
      return { cluster: 'contract', service };
    },
    running: async (_service, _environment, settings) => ecs.runningImage(String(settings.cluster), String(settings.service)),
    rejectedSettings: async (service) => ({ cluster: 'no-such-cluster', service }),
    async close() {
      await ecs.close();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
});
