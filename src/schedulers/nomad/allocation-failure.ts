import type { AllocationStub, TaskEvent } from './nomad-types.ts';

/** Task event types that say why an allocation failed, most telling first (Nomad's own names). */
const TELLING = ['Driver Failure', 'Setup Failure', 'Failed Validation', 'Task hook failed', 'Alloc Unhealthy', 'Terminated', 'Not Restarting'];

/**
 * Why the allocations of one job version failed or were unhealthy, from their task events:
 * `allocation 1a2b3c4d: Failed to pull …`, or undefined when none of them did. Pure.
 */
export function allocationFailure(allocations: readonly AllocationStub[], jobVersion: number): string | undefined {
  const bad = allocations.filter((a) => a.JobVersion === jobVersion && (a.ClientStatus === 'failed' || a.DeploymentStatus?.Healthy === false));
  let best: { rank: number; text: string } | undefined;
  for (const alloc of bad) {
    for (const event of Object.values(alloc.TaskStates ?? {}).flatMap((t) => t.Events ?? [])) {
      const rank = TELLING.indexOf(event.Type);
      const text = eventText(event);
      if (rank >= 0 && text && (!best || rank < best.rank)) best = { rank, text: `allocation ${alloc.ID.slice(0, 8)}: ${text}` };
    }
  }
  const first = bad[0];
  return best?.text ?? (first ? `allocation ${first.ID.slice(0, 8)} is ${first.ClientStatus}` : undefined);
}

function eventText(e: TaskEvent): string {
  return (e.DisplayMessage || e.DriverError || e.Message || '').trim();
}
