import type { FleetUnit } from './fleet-client.ts';
import { waitInstanceHealthy } from './instance-health.ts';
import type { Instance, Rollout } from './rollout-context.ts';
import { unitHash, unitLabel } from './unit-file.ts';
import { instanceUnitName } from './unit-name.ts';
import { waitActive, waitStopped } from './unit-wait.ts';

/**
 * Takes a unit away: `desiredState: inactive`, waits until its state entry is gone or inactive
 * (at most one deadline; then it is destroyed anyway), then DELETE. Does nothing when there is none.
 */
export async function retire(r: Rollout, name: string): Promise<void> {
  if (!(await r.client.unit(name))) return;
  await r.client.setUnit(name, { desiredState: 'inactive' });
  if (!(await waitStopped(r, name, Date.now() + r.deadlineMs))) r.log.line(`${name} did not stop in time; destroying it anyway`);
  await r.client.destroyUnit(name);
}

/**
 * Replaces one instance: the old unit (if any) inactive → gone → destroyed, then the new options
 * submitted `launched`; waits until the new unit file is active/running and the app healthy.
 * Resolves with undefined on success, else with the reason (fleet's own states).
 */
export async function replaceInstance(r: Rollout, inst: Instance): Promise<string | undefined> {
  if (inst.old) {
    r.log.line(`Stopping ${inst.name} (${unitLabel(inst.old.options)})`);
    await retire(r, inst.name);
  }
  r.log.line(`Launching ${inst.name} with ${r.release.image.tag}`);
  await r.client.setUnit(inst.name, { desiredState: 'launched', options: inst.options });
  return waitReady(r, inst);
}

/** Waits, within one deadline, for the instance's unit to be active/running and its app healthy. */
export async function waitReady(r: Rollout, inst: Instance): Promise<string | undefined> {
  const deadline = Date.now() + r.deadlineMs;
  const active = await waitActive(r, inst, deadline);
  if (!active.ok) return active.reason;
  return waitInstanceHealthy(r, inst, active.state, deadline);
}

/**
 * Puts the replaced instances back, last first: the new unit away, the old options re-submitted
 * with their old desired state, and (when launched) waited for. Resolves with a note for each
 * instance that did not come back healthy.
 */
export async function restore(r: Rollout, replaced: readonly Instance[]): Promise<string[]> {
  const notes: string[] = [];
  for (const inst of [...replaced].reverse()) {
    r.log.line(`Removing ${inst.name} (${r.release.image.tag})`);
    await retire(r, inst.name);
    if (!inst.old) continue;
    const desiredState = inst.old.desiredState ?? 'launched';
    r.log.line(`Restoring ${inst.name} (${unitLabel(inst.old.options)})`);
    await r.client.setUnit(inst.name, { desiredState, options: inst.old.options });
    if (desiredState !== 'launched') continue;
    const failure = await waitReady(r, { ...inst, options: inst.old.options, hash: unitHash(inst.old.options) });
    r.log.line(failure ? `${inst.name} is back but not healthy: ${failure}` : `${inst.name} runs ${unitLabel(inst.old.options)} again`);
    if (failure) notes.push(`${inst.name} was restored but ${failure}`);
  }
  return notes;
}

/** Removes the instances numbered above `instances`, highest first. */
export async function scaleDown(r: Rollout, found: ReadonlyMap<number, FleetUnit>): Promise<void> {
  const extra = [...found.keys()].filter((n) => n > r.settings.instances).sort((a, b) => b - a);
  for (const n of extra) {
    const name = instanceUnitName(r.prefix, n);
    r.log.line(`Scaling down: removing ${name} (${unitLabel(found.get(n)!.options)})`);
    await retire(r, name);
  }
}
