// fleet's cluster state and engine: the unit registry (what the API writes), the scheduler that
// assigns units to machines (MachineID, MachineOf, MachineMetadata, Conflicts; least loaded
// first), and the agents that load, start and stop units on their machine. One reconcile pass
// every `stepMs` moves each unit at most one step: inactive → loaded → launched. Test-only code.
import { startUnit, stopUnit, type Engine, type Machine, type UnitRun } from './unit-process.ts';
import { globMatch, nameInfo, placement, unitFileHash, type UnitOption } from './unit-rules.ts';

export type TargetState = 'inactive' | 'loaded' | 'launched';
export const TARGET_STATES: readonly string[] = ['inactive', 'loaded', 'launched'];

export interface StoredUnit {
  name: string;
  options: UnitOption[];
  hash: string;
  desiredState: TargetState;
  machineID?: string;
}

export interface Cluster {
  machines: Machine[];
  units: Map<string, StoredUnit>;
  runs: Map<string, UnitRun>;
  engine: Engine;
}

/** Stores a new unit (or replaces one whose options changed); fleet schedules it afresh. */
export function storeUnit(cluster: Cluster, name: string, options: UnitOption[], desiredState: TargetState): void {
  cluster.units.set(name, { name, options, hash: unitFileHash(options), desiredState });
}

/** fleet's `currentState`: what the unit's machine has done with it. */
export function currentState(cluster: Cluster, unit: StoredUnit): TargetState {
  const run = cluster.runs.get(unit.name);
  if (!run || run.hash !== unit.hash || run.machine.id !== unit.machineID) return 'inactive';
  return run.launched ? 'launched' : 'loaded';
}

/** A machine that may take `unit` now, the least loaded first; undefined when none may. */
export function pickMachine(cluster: Cluster, unit: StoredUnit): Machine | undefined {
  const p = placement(unit.name, unit.options);
  const scheduled = [...cluster.units.values()].filter((u) => u.machineID && u.name !== unit.name);
  const on = (m: Machine) => scheduled.filter((u) => u.machineID === m.id);
  const candidates = cluster.machines.filter((m) => {
    if (p.machineID !== undefined && m.id !== p.machineID) return false;
    if ([...p.metadata].some(([key, values]) => !values.has(m.metadata[key] ?? ''))) return false;
    if (p.peers.some((peer) => !on(m).some((u) => u.name === peer))) return false;
    return !on(m).some((u) => p.conflicts.some((c) => globMatch(c, u.name)) || placement(u.name, u.options).conflicts.some((c) => globMatch(c, unit.name)));
  });
  return candidates.sort((a, b) => on(a).length - on(b).length)[0];
}

/** One pass of the engine and every agent; errors of one unit never stop the others. */
export async function reconcile(cluster: Cluster): Promise<void> {
  for (const unit of [...cluster.units.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (unit.desiredState === 'inactive') unit.machineID = undefined;
    else if (!unit.machineID && !nameInfo(unit.name).template && !placement(unit.name, unit.options).global) unit.machineID = pickMachine(cluster, unit)?.id;
  }
  for (const [name, run] of [...cluster.runs]) {
    const unit = cluster.units.get(name);
    const keep = unit && unit.desiredState !== 'inactive' && unit.machineID === run.machine.id && unit.hash === run.hash;
    if (!keep) {
      await stopUnit(cluster.engine, run).catch(() => undefined);
      cluster.runs.delete(name);
    } else if (unit.desiredState === 'loaded' && run.launched) {
      await stopUnit(cluster.engine, run).catch(() => undefined);
    }
  }
  for (const unit of cluster.units.values()) {
    const machine = cluster.machines.find((m) => m.id === unit.machineID);
    const run = cluster.runs.get(unit.name);
    if (!machine || unit.desiredState === 'inactive') continue;
    if (!run) cluster.runs.set(unit.name, loaded(unit, machine));
    else if (unit.desiredState === 'launched' && !run.launched && run.loadState === 'loaded') {
      run.launched = true;
      await startUnit(cluster.engine, run).catch((err: Error) => Object.assign(run, { activeState: 'failed', subState: 'failed', reason: err.message }));
    }
  }
}

function loaded(unit: StoredUnit, machine: Machine): UnitRun {
  return { name: unit.name, machine, hash: unit.hash, options: unit.options, loadState: 'loaded', activeState: 'inactive', subState: 'dead', launched: false };
}

/** Stops every unit (emulator shutdown): containers stopped, forwarders closed. */
export async function stopAll(cluster: Cluster): Promise<void> {
  for (const run of cluster.runs.values()) await stopUnit(cluster.engine, run).catch(() => undefined);
  cluster.runs.clear();
}
