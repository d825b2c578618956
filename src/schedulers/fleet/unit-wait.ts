import { setTimeout as sleep } from 'node:timers/promises';
import { seconds } from '../health-check.ts';
import type { FleetUnitState } from './fleet-client.ts';
import type { Instance, Rollout } from './rollout-context.ts';

/** How a wait for a unit ended: active/running (with the state fleet reported), or why not. */
export type UnitWait = { readonly ok: true; readonly state: FleetUnitState } | { readonly ok: false; readonly reason: string };

/** `systemdActiveState=failed, systemdSubState=failed`: fleet's own words for a unit's state. */
export function describeState(state: FleetUnitState): string {
  return `systemdActiveState=${state.systemdActiveState ?? ''}, systemdSubState=${state.systemdSubState ?? ''}`;
}

/** The state fleet reports for one unit, if any. */
export async function unitState(r: Rollout, name: string): Promise<FleetUnitState | undefined> {
  return (await r.client.unitStates(name)).find((s) => s.name === name);
}

/** Why a unit running `hash` is not (or no longer) up, or undefined while it is active/running. */
export function stateFailure(name: string, hash: string, state: FleetUnitState | undefined): string | undefined {
  if (!state) return `unit ${name} is gone: fleet reports no state for it`;
  if (state.hash !== hash) return `unit ${name} runs another unit file (hash ${state.hash ?? 'none'})`;
  if (state.systemdLoadState && state.systemdLoadState !== 'loaded') return `unit ${name} could not be loaded: systemdLoadState=${state.systemdLoadState}`;
  if (state.systemdActiveState === 'failed') return `unit ${name} failed: ${describeState(state)}`;
  if (state.systemdSubState === 'auto-restart') return `unit ${name} keeps restarting: ${describeState(state)}`;
  if (state.systemdActiveState === 'active' && state.systemdSubState === 'running') return undefined;
  return `unit ${name} is not running: ${describeState(state)}`;
}

/** True for states a unit does not leave by itself: failed, crash-looping, or not loadable. */
function isFinal(state: FleetUnitState): boolean {
  return state.systemdActiveState === 'failed' || state.systemdSubState === 'auto-restart' || (!!state.systemdLoadState && state.systemdLoadState !== 'loaded');
}

/**
 * Polls `/state?unitName=` until the instance's unit file (its hash) is `active`/`running`.
 * `failed`, `auto-restart` or a load state other than `loaded` ends the wait at once; otherwise
 * it ends at `deadline`, saying the last state seen or that no machine took the unit.
 */
export async function waitActive(r: Rollout, inst: Instance, deadline: number): Promise<UnitWait> {
  const started = Date.now();
  let last = 'fleet reports no state for it yet';
  for (;;) {
    const state = await unitState(r, inst.name);
    if (state?.hash === inst.hash) {
      const failure = stateFailure(inst.name, inst.hash, state);
      if (failure === undefined) return { ok: true, state };
      if (isFinal(state)) return { ok: false, reason: failure };
      last = describeState(state);
    } else if (state) {
      last = `it still reports the unit file it replaces (hash ${state.hash ?? 'none'})`;
    }
    if (Date.now() + r.intervalMs > deadline) break;
    await sleep(r.intervalMs);
  }
  const unit = await r.client.unit(inst.name);
  if (unit && !unit.machineID) last = 'no machine took it (see its Conflicts and MachineMetadata, and how many machines fleet has)';
  return { ok: false, reason: `unit ${inst.name} did not become active/running within ${seconds(Date.now() - started)}: ${last}` };
}

/** Polls until the unit's state entry is gone, inactive or failed; false when `deadline` came first. */
export async function waitStopped(r: Rollout, name: string, deadline: number): Promise<boolean> {
  for (;;) {
    const state = await unitState(r, name);
    if (!state || state.systemdActiveState === 'inactive' || state.systemdActiveState === 'failed') return true;
    if (Date.now() + r.intervalMs > deadline) return false;
    await sleep(r.intervalMs);
  }
}
