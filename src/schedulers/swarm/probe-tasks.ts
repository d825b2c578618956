import { probeHost } from '../docker/probe-host.ts';
import { waitForHealth, type HealthOutcome } from '../health-check.ts';
import type { Watch } from './rollout-watch.ts';
import type { SwarmSettings } from './settings.ts';
import { nodeAddress, serviceTasks } from './swarm-api.ts';
import { failureReason, tasksOf } from './task-facts.ts';

/**
 * Slipway's own health probe, for images the engine cannot check from inside: `GET health_path`
 * on the port of every node that runs a task of the release (its advertised address; the
 * manager's host when a node does not say), each within `deadlineMs`. A task of the release that
 * fails meanwhile ends the wait with the task's own error.
 */
export async function probeTasks(w: Watch, settings: SwarmSettings, deadlineMs: number): Promise<HealthOutcome> {
  const all = tasksOf(await serviceTasks(w.docker, w.serviceId), w.image);
  const failedBefore = new Set(all.filter((t) => failureReason([t])).map((t) => t.ID));
  const tasks = all.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');
  const nodes = [...new Set(tasks.map((t) => t.NodeID ?? ''))];
  let outcome: HealthOutcome = { healthy: true, afterMs: 0 };
  for (const node of nodes) {
    const host = (node ? await nodeAddress(w.docker, node) : undefined) ?? probeHost(w.docker);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${settings.port}${settings.health_path}`;
    w.log.line(`Waiting for ${url}`);
    outcome = await waitForHealth({
      url, path: settings.health_path, intervalMs: w.intervalMs, deadlineMs, signal: w.signal,
      exited: async () => failureReason(tasksOf(await serviceTasks(w.docker, w.serviceId), w.image).filter((t) => !failedBefore.has(t.ID))),
    });
    if (!outcome.healthy) return outcome;
  }
  return outcome;
}
