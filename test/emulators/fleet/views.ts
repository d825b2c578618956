// JSON views of the cluster as fleet's API v1 serializes them: Go's `omitempty` leaves out empty
// strings, lists and maps (test-only code).
import { currentState, type Cluster, type StoredUnit } from './cluster.ts';
import type { Machine, UnitRun } from './unit-process.ts';

/** Drops the fields Go's `omitempty` would leave out. */
export function omitEmpty<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0) && !(v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0))) as Partial<T>;
}

export interface UnitJson { name: string; options: Partial<UnitRun['options'][number]>[]; desiredState: string; currentState: string; machineID?: string }
export interface StateJson { name: string; hash: string; machineID: string; systemdLoadState: string; systemdActiveState: string; systemdSubState: string }
export interface MachineJson { id: string; primaryIP: string; metadata?: Record<string, string> }

export function unitView(cluster: Cluster, unit: StoredUnit): UnitJson {
  return omitEmpty({
    name: unit.name,
    options: unit.options.map((o) => omitEmpty({ section: o.section, name: o.name, value: o.value })),
    desiredState: unit.desiredState,
    currentState: currentState(cluster, unit),
    machineID: unit.machineID,
  }) as UnitJson;
}

export function stateView(run: UnitRun): StateJson {
  return omitEmpty({
    name: run.name,
    hash: run.hash,
    machineID: run.machine.id,
    systemdLoadState: run.loadState,
    systemdActiveState: run.activeState,
    systemdSubState: run.subState,
  }) as StateJson;
}

export function machineView(machine: Machine): MachineJson {
  return omitEmpty({ id: machine.id, primaryIP: machine.primaryIP, metadata: machine.metadata }) as MachineJson;
}
