import { seconds, waitForHealth } from '../health-check.ts';
import type { FleetUnitState } from './fleet-client.ts';
import type { Instance, Rollout } from './rollout-context.ts';
import { stateFailure, unitState } from './unit-wait.ts';

/** Waits at least this long for the app, even when the unit took most of the deadline to start. */
const MIN_HEALTH_WAIT_MS = 1_000;

/**
 * Once the instance's unit is active/running, waits for `GET http://<machine primaryIP>:<port>
 * <health_path>` to answer 2xx before `deadline`. Resolves with undefined when healthy, else with
 * the reason; a unit that fails or stops meanwhile ends the wait at once.
 */
export async function waitInstanceHealthy(r: Rollout, inst: Instance, state: FleetUnitState, deadline: number): Promise<string | undefined> {
  const machine = (await r.client.machines()).find((m) => m.id === state.machineID);
  if (!machine?.primaryIP) return `unit ${inst.name} runs on machine ${state.machineID ?? '(none)'}, which fleet lists without a primaryIP`;
  const host = machine.primaryIP.includes(':') ? `[${machine.primaryIP}]` : machine.primaryIP;
  const url = `http://${host}:${r.settings.port}${r.settings.health_path}`;
  r.log.line(`${inst.name} is active/running on machine ${machine.id.slice(0, 8)} (${machine.primaryIP}); waiting for ${url}`);
  const outcome = await waitForHealth({
    url,
    path: r.settings.health_path,
    intervalMs: r.intervalMs,
    deadlineMs: Math.max(deadline - Date.now(), MIN_HEALTH_WAIT_MS),
    exited: async () => stateFailure(inst.name, inst.hash, await unitState(r, inst.name)),
  });
  if (!outcome.healthy) return outcome.exited ? outcome.reason : `unit ${inst.name} on ${machine.primaryIP}: ${outcome.reason}`;
  r.log.line(`${inst.name} is healthy after ${seconds(outcome.afterMs)}`);
  return undefined;
}
