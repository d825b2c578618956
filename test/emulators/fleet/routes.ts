// fleet API v1's HTTP surface (api/units.go, state.go, machines.go, serialization.go, pagination.go;
// shared/reference/apis.md §8). Test-only code.
import type { IncomingMessage } from 'node:http';
import { storeUnit, TARGET_STATES, type Cluster, type TargetState } from './cluster.ts';
import { pageFromQuery, pageOf } from './page-token.ts';
import { optionsProblem, unitFileHash, unitNameProblem, nameInfo, type UnitOption } from './unit-rules.ts';
import { machineView, stateView, unitView } from './views.ts';

export interface RouteContext {
  cluster: Cluster;
  pageSize: number;
  /** a forced answer for the next PUT, set by `failNextPut` */
  nextPut?: { status: number; message: string };
}

type Answer = { status: number; body?: unknown };

const BASE = '/fleet/v1';
const err = (status: number, message = ''): Answer => ({ status, body: { error: { code: status, message } } });

/** Answers one request (status and JSON body, if any). */
export function route(ctx: RouteContext, req: IncomingMessage, body: string): Answer {
  const url = new URL(req.url ?? '/', 'http://fleet');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return err(400, 'invalid URL escape');
  }
  for (const [resource, handler] of [['units', units], ['state', state], ['machines', machines]] as const) {
    const base = `${BASE}/${resource}`;
    if (path === base) return req.method === 'GET' ? handler.list(ctx, url.searchParams) : err(405, 'only GET supported against this resource');
    if (path.startsWith(`${base}/`) && !path.endsWith('/') && !path.slice(base.length + 1).includes('/') && 'item' in handler) {
      return handler.item(ctx, req, path.slice(base.length + 1), body);
    }
  }
  return err(path === BASE ? 405 : 404);
}

function listOf(ctx: RouteContext, query: URLSearchParams, key: string, all: unknown[]): Answer {
  const page = pageFromQuery(query, ctx.pageSize);
  if (typeof page !== 'number') return err(400, page.error);
  const { items, next } = pageOf(all, ctx.pageSize, page);
  return { status: 200, body: { ...(items.length ? { [key]: items } : {}), ...(next ? { nextPageToken: next } : {}) } };
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const units = {
  list: (ctx: RouteContext, q: URLSearchParams) => listOf(ctx, q, 'units', [...ctx.cluster.units.values()].sort(byName).map((u) => unitView(ctx.cluster, u))),
  item(ctx: RouteContext, req: IncomingMessage, name: string, body: string): Answer {
    const unit = ctx.cluster.units.get(name);
    if (req.method === 'GET') return unit ? { status: 200, body: unitView(ctx.cluster, unit) } : err(404, 'unit does not exist');
    if (req.method === 'DELETE') {
      if (!unit) return err(404, 'unit does not exist');
      ctx.cluster.units.delete(name);
      return { status: 204 };
    }
    if (req.method === 'PUT') return putUnit(ctx, req, name, body);
    return err(405, 'only GET, PUT and DELETE supported against this resource');
  },
};

const state = {
  list(ctx: RouteContext, q: URLSearchParams): Answer {
    const [machineID, unitName] = [q.get('machineID') ?? '', q.get('unitName') ?? ''];
    const runs = [...ctx.cluster.runs.values()].filter((r) => (!machineID || r.machine.id === machineID) && (!unitName || r.name === unitName));
    return listOf(ctx, q, 'states', runs.sort(byName).map(stateView));
  },
  item(ctx: RouteContext, req: IncomingMessage, name: string): Answer {
    if (req.method !== 'GET') return err(405, 'only GET supported against this resource');
    const run = ctx.cluster.runs.get(name);
    return run ? { status: 200, body: stateView(run) } : err(404, 'unit state does not exist');
  },
};

const machines = {
  list: (ctx: RouteContext, q: URLSearchParams) => listOf(ctx, q, 'machines', ctx.cluster.machines.map(machineView)),
};

/** fleet's unitsResource.set, step by step. */
function putUnit(ctx: RouteContext, req: IncomingMessage, item: string, raw: string): Answer {
  const types = contentTypes(req);
  if (types.length !== 1) return err(415, `expected 1 Content-Type, got ${types.length}`);
  if (types[0]!.split(';')[0]!.trim() !== 'application/json') return err(415, 'only acceptable Content-Type is application/json');
  if (ctx.nextPut) {
    const forced = ctx.nextPut;
    ctx.nextPut = undefined;
    return err(forced.status, forced.message);
  }
  const decoded = decodeUnit(raw);
  if ('error' in decoded) return err(400, `unable to decode body: ${decoded.error}`);
  const name = decoded.name || item;
  if (name !== item) return err(400, `name in URL "${item}" differs from unit name in request body "${name}"`);
  const badName = unitNameProblem(name);
  if (badName) return err(400, badName);
  const desired = decoded.desiredState;
  if (desired && !TARGET_STATES.includes(desired)) return err(400, `invalid value "${desired}" for JobState`);
  const existing = ctx.cluster.units.get(name);
  const options = decoded.options ?? [];
  if (!existing || (options.length > 0 && unitFileHash(options) !== existing.hash)) {
    if (options.length === 0) return err(409, 'unit does not exist and options field empty');
    const badOptions = optionsProblem(name, options);
    if (badOptions) return err(400, badOptions);
    storeUnit(ctx.cluster, name, options, (desired || 'inactive') as TargetState);
    return { status: 201 };
  }
  if (!desired) return err(409, 'must provide DesiredState to update existing unit');
  if (nameInfo(name).template && desired !== 'inactive') return err(400, `cannot activate template "${name}"`);
  existing.desiredState = desired as TargetState;
  return { status: 204 };
}

/** Every Content-Type header as sent (node keeps only the first in `req.headers`). */
function contentTypes(req: IncomingMessage): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'content-type') values.push(req.rawHeaders[i + 1]!);
  return values;
}

/** Go's json decoding of a schema.Unit: types must match; unknown fields are ignored. */
function decodeUnit(raw: string): { name?: string; desiredState?: string; options?: UnitOption[] } | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    return { error: raw.trim() === '' ? 'EOF' : (e as Error).message };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'json: cannot unmarshal into Go value of type schema.Unit' };
  const b = body as Record<string, unknown>;
  for (const key of ['name', 'desiredState'] as const) {
    if (b[key] !== undefined && b[key] !== null && typeof b[key] !== 'string') return { error: `json: cannot unmarshal ${typeof b[key]} into Go struct field Unit.${key} of type string` };
  }
  if (b.options !== undefined && b.options !== null && !Array.isArray(b.options)) return { error: 'json: cannot unmarshal into Go struct field Unit.options of type []*schema.UnitOption' };
  const options = ((b.options as unknown[] | null) ?? []).map((o) => o as Record<string, unknown>);
  if (options.some((o) => !o || typeof o !== 'object' || ['section', 'name', 'value'].some((k) => o[k] !== undefined && typeof o[k] !== 'string'))) {
    return { error: 'json: cannot unmarshal into Go struct field UnitOption of type string' };
  }
  return {
    name: (b.name as string | undefined) ?? undefined,
    desiredState: (b.desiredState as string | undefined) ?? undefined,
    options: options.map((o) => ({ section: (o.section as string) ?? '', name: (o.name as string) ?? '', value: (o.value as string) ?? '' })),
  };
}
