/**
 * The `nomad` adapter passes the scheduler contract against the Nomad emulator, whose allocations
 * run for real in the test Docker engine from the test registry. Run with
 * `npm test -- test/contract/nomad.contract.test.ts`.
 */
import { createNomadScheduler } from '../../src/schedulers/nomad/nomad-scheduler.ts';
import { startNomadEmulator } from '../emulators/nomad.ts';
import { freePort } from '../support/free-port.ts';
import { schedulerContract } from './scheduler-contract.ts';

const TOKEN = 'contract-nomad-token';

schedulerContract('nomad', async () => {
  const nomad = await startNomadEmulator({ token: TOKEN });
  const port = await freePort();
  // short health windows so a bad release is judged by Nomad itself well within the contract's deadline
  const settings = { port, health_path: '/index.html', update: { min_healthy_time: 1, healthy_deadline: 10, progress_deadline: 20 } };
  return {
    scheduler: createNomadScheduler({ addr: nomad.url, token: TOKEN, namespace: 'default' }, { pollIntervalMs: 200 }),
    unreachable: createNomadScheduler({ addr: `http://127.0.0.1:${await freePort()}`, token: TOKEN, namespace: 'default' }),
    settings: async () => settings,
    running: async (service, environment, s) => nomad.runningImage(typeof s.job === 'string' ? s.job : `${service}-${environment}`),
    // more memory than any node has: Nomad cannot place it (FailedTGAllocs), so it refuses the job
    rejectedSettings: async () => ({ ...settings, resources: { memory: 1_000_000 } }),
    close: () => nomad.close(),
  };
});
