import { SlipwayError } from '../../core/errors.ts';
import { fleetFailure, fleetRequest, fleetTarget, type FleetResponse, type FleetTarget } from './fleet-http.ts';
import type { UnitOption } from './unit-file.ts';

/** fleet's cluster-level unit states: known, loaded into systemd on a machine, told to start. */
export type UnitTargetState = 'inactive' | 'loaded' | 'launched';

/** A unit as fleet's units API returns it; fields fleet leaves empty are absent. */
export interface FleetUnit {
  readonly name: string;
  readonly options: readonly UnitOption[];
  readonly desiredState?: UnitTargetState;
  readonly currentState?: UnitTargetState;
  readonly machineID?: string;
}

/** What systemd on the unit's machine says about it. */
export interface FleetUnitState {
  readonly name: string;
  readonly hash?: string;
  readonly machineID?: string;
  readonly systemdLoadState?: string;
  readonly systemdActiveState?: string;
  readonly systemdSubState?: string;
}

/** A machine of the cluster; `primaryIP` is where its units' apps answer. */
export interface FleetMachine {
  readonly id: string;
  readonly primaryIP?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * fleet's units API v1, over TCP or its unix socket. Lists follow `nextPageToken` to the end.
 * Every method throws SCHEDULER_UNREACHABLE when fleet cannot be reached or fails (5xx) and
 * SCHEDULER_REJECTED, with fleet's message, when it refuses a request.
 */
export interface FleetClient {
  readonly endpoint: string;
  units(): Promise<FleetUnit[]>;
  /** the unit, or undefined when fleet has none by that name */
  unit(name: string): Promise<FleetUnit | undefined>;
  /** creates (with options) or updates a unit; `created` when fleet made a new one (201) */
  setUnit(name: string, unit: { desiredState: UnitTargetState; options?: readonly UnitOption[] }): Promise<'created' | 'updated'>;
  /** destroys the unit; false when there was none */
  destroyUnit(name: string): Promise<boolean>;
  unitStates(unitName?: string): Promise<FleetUnitState[]>;
  machines(): Promise<FleetMachine[]>;
}

/** Knobs of the client; the endpoint itself comes from FLEETCTL_ENDPOINT. */
export interface FleetClientOptions {
  /** how long one request may wait for an answer; default 10 s */
  readonly timeoutMs?: number;
}

/** A FleetClient for `endpoint` (FLEETCTL_ENDPOINT: `http://host:port` or `unix:///path`). */
export function createFleetClient(endpoint: string, options: FleetClientOptions = {}): FleetClient {
  const target = fleetTarget(endpoint);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const call = (method: string, path: string, body?: unknown) => fleetRequest(target, method, path, body, timeoutMs);
  const item = (name: string) => `units/${encodeURIComponent(name).replace(/%40/g, '@')}`;
  return {
    endpoint,
    units: async () => (await allPages(target, call, 'units', '', 'units')).map(normalUnit),
    async unit(name) {
      const res = await call('GET', item(name));
      if (res.status === 404) return undefined;
      return normalUnit(expect(res, 200, `GET ${item(name)}`));
    },
    async setUnit(name, unit) {
      const res = await call('PUT', item(name), { name, ...unit });
      if (res.status === 201) return 'created';
      expect(res, 204, `PUT ${item(name)}`);
      return 'updated';
    },
    async destroyUnit(name) {
      const res = await call('DELETE', item(name));
      if (res.status === 404) return false;
      expect(res, 204, `DELETE ${item(name)}`);
      return true;
    },
    unitStates: (unitName) => allPages(target, call, 'state', unitName ? `unitName=${encodeURIComponent(unitName)}` : '', 'states') as Promise<FleetUnitState[]>,
    machines: () => allPages(target, call, 'machines', '', 'machines') as Promise<FleetMachine[]>,
  };
}

type Call = (method: string, path: string, body?: unknown) => Promise<FleetResponse>;

/** Every item of a paged collection; fleet leaves out both the list and the token when empty. */
async function allPages(target: FleetTarget, call: Call, path: string, query: string, key: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const params = [query, token ? `nextPageToken=${encodeURIComponent(token)}` : ''].filter(Boolean).join('&');
    const body = expect(await call('GET', params ? `${path}?${params}` : path), 200, `GET ${path}`) as Record<string, unknown> | undefined;
    const list = body?.[key] ?? [];
    if (!Array.isArray(list)) throw new SlipwayError('SCHEDULER_UNREACHABLE', `fleet at ${target.endpoint} answered GET ${path} without a ${key} list`);
    items.push(...list);
    token = typeof body?.nextPageToken === 'string' && body.nextPageToken !== '' ? body.nextPageToken : undefined;
    if (!token) return items;
  }
  throw new SlipwayError('SCHEDULER_UNREACHABLE', `fleet at ${target.endpoint} kept paging GET ${path}`);
}

/** fleet leaves out empty fields (Go's omitempty), an option's empty value included: put them back. */
function normalUnit(raw: unknown): FleetUnit {
  const unit = (raw ?? {}) as Partial<FleetUnit> & { options?: Partial<UnitOption>[] };
  const options = (unit.options ?? []).map((o) => ({ section: o.section ?? '', name: o.name ?? '', value: o.value ?? '' }));
  return { ...unit, name: unit.name ?? '', options };
}

function expect(res: FleetResponse, status: number, what: string): unknown {
  if (res.status !== status) throw fleetFailure(what, res);
  return res.body;
}
