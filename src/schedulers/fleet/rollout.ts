import { isSlipwayError } from '../../core/errors.ts';
import type { Deployment } from '../../core/ports/scheduler.ts';
import type { FleetUnit, FleetUnitState } from './fleet-client.ts';
import { replaceInstance, restore, scaleDown } from './instance-steps.ts';
import type { Instance, Rollout } from './rollout-context.ts';
import { sameUnit, unitHash, unitImage, unitLabel, unitOptions } from './unit-file.ts';
import { instanceOf, instanceUnitName } from './unit-name.ts';
import { describeState } from './unit-wait.ts';

/**
 * Rolls a release out over the instances `<prefix>@1..N.service`, one at a time (fleet's rolling
 * update): an instance whose unit already is this unit file and active/running is left alone, any
 * other is replaced and must become active/running and healthy before the next. At the first
 * failure the replaced instances get their old units back (`rolled_back`), or are removed when
 * there was nothing before (`failed`). Instances above N are removed once all N are up.
 */
export async function rollOut(r: Rollout): Promise<Deployment> {
  const found = await currentUnits(r);
  const states = await currentStates(r);
  const wanted = wantedInstances(r, found);
  const previous = previousImage(found);
  describeFound(r, found, states);
  const stale = wanted.filter((inst) => !runsAlready(inst, states.get(inst.name)));
  if (stale.length === 0) {
    r.log.line(`${r.release.image.tag} already runs on every instance of ${r.prefix}; nothing to roll out`);
    await scaleDown(r, found);
    return { outcome: 'succeeded', detail: 'already running' };
  }
  const replaced: Instance[] = [];
  let failure: string | undefined;
  try {
    for (const inst of stale) {
      replaced.push(inst);
      failure = await replaceInstance(r, inst);
      if (failure) break;
    }
  } catch (err) {
    // fleet refused something mid-way: put back what was replaced, then report the refusal
    if (!isSlipwayError(err, 'SCHEDULER_UNREACHABLE')) await restore(r, replaced).catch(() => undefined);
    throw err;
  }
  if (failure) return rollBack(r, replaced, failure, found.size > 0, previous);
  await scaleDown(r, found);
  const detail = `${wanted.length} instance${wanted.length === 1 ? '' : 's'} active/running and healthy`;
  r.log.line(`${r.release.image.tag}: ${detail}`);
  return { outcome: 'succeeded', detail, previous };
}

async function rollBack(r: Rollout, replaced: Instance[], reason: string, hadUnits: boolean, previous: string | undefined): Promise<Deployment> {
  r.log.line(`${r.release.image.tag} did not become healthy: ${reason}`);
  const notes = await restore(r, replaced);
  if (!hadUnits) {
    r.log.line('No previous release to roll back to');
    return { outcome: 'failed', detail: reason };
  }
  return { outcome: 'rolled_back', detail: [reason, ...notes].join('; '), previous };
}

/** The units `<prefix>@N.service` fleet has, by instance number. */
async function currentUnits(r: Rollout): Promise<Map<number, FleetUnit>> {
  const units = new Map<number, FleetUnit>();
  for (const unit of await r.client.units()) {
    const n = instanceOf(r.prefix, unit.name);
    if (n !== undefined) units.set(n, unit);
  }
  return units;
}

async function currentStates(r: Rollout): Promise<Map<string, FleetUnitState>> {
  const states = await r.client.unitStates();
  return new Map(states.filter((s) => instanceOf(r.prefix, s.name) !== undefined).map((s) => [s.name, s]));
}

function wantedInstances(r: Rollout, found: ReadonlyMap<number, FleetUnit>): Instance[] {
  return Array.from({ length: r.settings.instances }, (_, i) => {
    const options = unitOptions(r.release, r.settings, i + 1);
    return { n: i + 1, name: instanceUnitName(r.prefix, i + 1), options, hash: unitHash(options), old: found.get(i + 1) };
  });
}

/** True when the slot already has exactly this unit file, launched, active and running. */
function runsAlready(inst: Instance, state: FleetUnitState | undefined): boolean {
  return !!inst.old && inst.old.desiredState === 'launched' && sameUnit(inst.old.options, inst.options) &&
    state?.hash === inst.hash && state.systemdActiveState === 'active' && state.systemdSubState === 'running';
}

/** The image the lowest-numbered instance ran: what a rollback goes back to. */
function previousImage(found: ReadonlyMap<number, FleetUnit>): string | undefined {
  const first = [...found.keys()].sort((a, b) => a - b)[0];
  return first === undefined ? undefined : unitImage(found.get(first)!.options);
}

function describeFound(r: Rollout, found: ReadonlyMap<number, FleetUnit>, states: ReadonlyMap<string, FleetUnitState>): void {
  if (found.size === 0) r.log.line(`fleet has no units of ${r.prefix} yet`);
  for (const n of [...found.keys()].sort((a, b) => a - b)) {
    const unit = found.get(n)!;
    const state = states.get(unit.name);
    r.log.line(`${unit.name}: ${unitLabel(unit.options)}, ${unit.desiredState ?? 'no desired state'}, ${state ? describeState(state) : 'no state'}`);
  }
}
