import type { Scheduler } from '../../core/ports/scheduler.ts';
import { parseSettings } from '../parse-settings.ts';
import { createFleetClient } from './fleet-client.ts';
import { rollOut } from './rollout.ts';
import { FleetSettingsSchema } from './settings.ts';
import { unitPrefix } from './unit-name.ts';

/** Timing knobs (tests shorten them); production uses the defaults. */
export interface FleetSchedulerOptions {
  /** time between state polls and health probes; default 500 ms */
  readonly pollIntervalMs?: number;
  /** how long one API request may wait for an answer; default 10 s */
  readonly requestTimeoutMs?: number;
}

/**
 * The `fleet` scheduler: instances `<service>-<environment>@1..N.service` submitted to fleet's
 * units API v1 at `endpoint` (FLEETCTL_ENDPOINT), each running the digest-pinned image with
 * Docker on the host network of its machine. Rolls one instance at a time and checks each
 * instance's app at `http://<machine primaryIP>:<port><health_path>`; `deadlineMs` applies to
 * each instance. See docs/schedulers/fleet.md.
 */
export function createFleetScheduler(config: { readonly endpoint: string }, options: FleetSchedulerOptions = {}): Scheduler {
  const client = createFleetClient(config.endpoint, { timeoutMs: options.requestTimeoutMs });
  const intervalMs = options.pollIntervalMs ?? 500;
  return {
    async deploy(release, log, { deadlineMs }) {
      const settings = parseSettings('fleet', FleetSettingsSchema, release.settings);
      const prefix = unitPrefix(release.service, release.environment);
      return rollOut({ client, log, release, settings, prefix, intervalMs, deadlineMs });
    },
  };
}

