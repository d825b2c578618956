import { createFleetScheduler } from '../../src/schedulers/fleet/fleet-scheduler.ts';
import { startFleetEmulator, type FleetEmulator } from '../emulators/fleet.ts';
import { freePort } from '../support/free-port.ts';
import { schedulerContract } from './scheduler-contract.ts';

/**
 * The `fleet` adapter against the fleet API v1 emulator with two machines, two instances: the
 * emulator (its units really run on the test engine) says what runs, and each machine's app is
 * asked at its primaryIP.
 */
schedulerContract('fleet', async () => {
  const fleet: FleetEmulator = await startFleetEmulator({ machines: 2 });
  const ports = new Map<string, number>();
  const portOf = async (service: string) => {
    ports.set(service, ports.get(service) ?? (await freePort()));
    return ports.get(service)!;
  };
  return {
    scheduler: createFleetScheduler({ endpoint: fleet.url }, { pollIntervalMs: 100 }),
    unreachable: createFleetScheduler({ endpoint: `http://127.0.0.1:${await freePort()}` }),
    settings: async (service) => ({ instances: 2, port: await portOf(service), health_path: '/index.html' }),
    async running(service, environment, settings) {
      const images = await fleet.runningImages(`${service}-${environment}@`);
      const digests = new Set([...images.values()].map((image) => image.split('@')[1]));
      if (images.size !== settings.instances || digests.size !== 1) return undefined;
      for (const machine of fleet.machines) {
        const answered = await fetch(`http://${machine.primaryIP}:${settings.port}/index.html`).then((r) => r.ok, () => false);
        if (!answered) return undefined;
      }
      return [...digests][0];
    },
    // an ExecStart line past systemd's 2048 bytes: fleet refuses the unit with 400 "line too long"
    rejectedSettings: async (service) => ({ instances: 2, port: await portOf(service), health_path: '/index.html', env: { PADDING: 'x'.repeat(2100) } }),
    close: () => fleet.close(),
  };
});
