// Local emulator of CoreOS fleet's HTTP API v1 (reference: shared/reference/apis.md §8, checked
// against coreos/fleet v1.0.0 api/*.go). Units really run: each emulated machine's "systemd"
// parses the unit's Exec lines like systemd (no shell) and runs the docker commands on the REAL
// test engine, host network.
//
// Machines and ports: machine k (1-based) reports primaryIP 127.0.0.k, so machine 1 is 127.0.0.1.
// All machines share this host, so a container never binds the PORT its unit gives it: the
// emulator sets PORT to a free private port and forwards <primaryIP>:<unit's PORT> to it. The
// app of each instance is therefore reachable exactly where a client of real fleet would look,
// http://<machine primaryIP>:<port>/, and several instances of one service can run at once.
// Not emulated: Global units (stored, never scheduled), machine metadata PATCH, Replaces scheduling.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { testEnv } from '../support/env.ts';
import { reconcile, stopAll, type Cluster } from './fleet/cluster.ts';
import { route, type RouteContext } from './fleet/routes.ts';
import type { Machine } from './fleet/unit-process.ts';
import { machineView, stateView, unitView, type MachineJson, type StateJson, type UnitJson } from './fleet/views.ts';
import { pollUntil } from './http-util.ts';

export interface FleetEmulatorOptions {
  /** how many machines, or each machine's metadata; default 1 machine */
  machines?: number | { metadata?: Record<string, string> }[];
  /** items per page of every list (fleet's default: 100) */
  pageSize?: number;
  /** also serve the API on this unix socket */
  socketPath?: string;
  /** time between reconcile passes; each moves a unit one step; default 50 ms */
  stepMs?: number;
}

export interface FleetRequest {
  method: string;
  path: string;
  contentTypes: string[];
  body: string;
  status: number;
}

export interface FleetEmulator {
  /** `http://127.0.0.1:<port>`: a FLEETCTL_ENDPOINT */
  url: string;
  /** `unix:///…` when `socketPath` was given */
  socketUrl?: string;
  machines: MachineJson[];
  requests: FleetRequest[];
  /** every unit as GET /fleet/v1/units/<name> would show it */
  units(): UnitJson[];
  /** every unit state as GET /fleet/v1/state would show it */
  states(): StateJson[];
  /** why a unit failed (the command's or systemd's words), for assertions */
  failure(unitName: string): string | undefined;
  /** the images the Docker engine really runs for units whose names start with `unitPrefix`, by unit */
  runningImages(unitPrefix: string): Promise<Map<string, string>>;
  /** the one image every running unit starting with `unitPrefix` runs; undefined when none runs or they differ */
  runningImage(unitPrefix: string): Promise<string | undefined>;
  /** the next PUT (with a valid Content-Type) is answered with this error */
  failNextPut(status: number, message: string): void;
  waitFor(pred: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the emulator on 127.0.0.1 (an ephemeral port; optionally also a unix socket), with its
 * machines and a reconcile loop that loads, starts and stops units on the test Docker engine.
 */
export async function startFleetEmulator(options: FleetEmulatorOptions = {}): Promise<FleetEmulator> {
  const namespace = `fleetemu-${randomBytes(3).toString('hex')}`;
  const cluster: Cluster = { machines: makeMachines(options.machines ?? 1), units: new Map(), runs: new Map(), engine: { docker: createDockerClient(testEnv().dockerHost), namespace } };
  const ctx: RouteContext = { cluster, pageSize: options.pageSize ?? 100 };
  const requests: FleetRequest[] = [];
  const servers = [await serve(ctx, requests, { port: 0, host: '127.0.0.1' })];
  if (options.socketPath) {
    rmSync(options.socketPath, { force: true });
    servers.push(await serve(ctx, requests, { path: options.socketPath }));
  }
  const stopLoop = reconcileEvery(cluster, options.stepMs ?? 50);
  return {
    url: `http://127.0.0.1:${(servers[0]!.address() as AddressInfo).port}`,
    socketUrl: options.socketPath ? `unix://${options.socketPath}` : undefined,
    machines: cluster.machines.map(machineView),
    requests,
    units: () => [...cluster.units.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((u) => unitView(cluster, u)),
    states: () => [...cluster.runs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(stateView),
    failure: (name) => cluster.runs.get(name)?.reason,
    runningImages: (prefix) => runningImages(cluster, prefix),
    async runningImage(prefix) {
      const images = new Set((await runningImages(cluster, prefix)).values());
      return images.size === 1 ? [...images][0] : undefined;
    },
    failNextPut(status, message) {
      ctx.nextPut = { status, message };
    },
    waitFor: (pred, timeoutMs = 10_000) => pollUntil(() => undefined, () => pred(), timeoutMs, () => JSON.stringify([...cluster.runs.values()].map(stateView))),
    async close() {
      await stopLoop();
      await stopAll(cluster);
      await removeContainers(cluster);
      for (const server of servers) await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      if (options.socketPath) rmSync(options.socketPath, { force: true });
    },
  };
}

/** Runs a reconcile pass every `stepMs`; the returned function stops the loop after its pass. */
function reconcileEvery(cluster: Cluster, stepMs: number): () => Promise<void> {
  let closed = false;
  const loop = (async () => {
    while (!closed) {
      await reconcile(cluster).catch((err: unknown) => console.error(`fleet emulator: reconcile failed: ${String(err)}`));
      await sleep(stepMs);
    }
  })();
  return () => {
    closed = true;
    return loop;
  };
}

/** The image of every running container of a unit starting with `prefix`, as the engine reports it. */
async function runningImages(cluster: Cluster, prefix: string): Promise<Map<string, string>> {
  const images = new Map<string, string>();
  for (const run of [...cluster.runs.values()].filter((r) => r.name.startsWith(prefix) && r.activeState === 'active' && r.container)) {
    const info = await cluster.engine.docker.getContainer(run.container!.id).inspect().catch(() => undefined);
    if (info?.State.Running) images.set(run.name, info.Config.Image);
  }
  return images;
}

function makeMachines(spec: NonNullable<FleetEmulatorOptions['machines']>): Machine[] {
  const list = typeof spec === 'number' ? Array.from({ length: spec }, () => ({})) : spec;
  if (list.length < 1 || list.length > 254) throw new Error('the fleet emulator needs 1 to 254 machines');
  return list.map((m: { metadata?: Record<string, string> }, i) => ({ id: randomBytes(16).toString('hex'), primaryIP: `127.0.0.${i + 1}`, metadata: { ...m.metadata }, index: i + 1 }));
}

async function serve(ctx: RouteContext, requests: FleetRequest[], at: { port: number; host: string } | { path: string }): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(ctx, requests, req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, () => resolve());
  });
  return server;
}

function answer(ctx: RouteContext, requests: FleetRequest[], req: IncomingMessage, res: ServerResponse, body: string): void {
  const { status, body: json } = route(ctx, req, body);
  const contentTypes = req.rawHeaders.flatMap((h, i) => (i % 2 === 0 && h.toLowerCase() === 'content-type' ? [req.rawHeaders[i + 1]!] : []));
  requests.push({ method: req.method ?? '', path: req.url ?? '', contentTypes, body, status });
  const text = json === undefined ? '' : JSON.stringify(json);
  res.writeHead(status, { server: 'fleetd/1.0.0', ...(text ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}) });
  res.end(text);
}

/** Containers this emulator started and a unit no longer owns (e.g. stopped without --rm). */
async function removeContainers(cluster: Cluster): Promise<void> {
  const list = await cluster.engine.docker.listContainers({ all: true, filters: { label: [`fleet-emulator=${cluster.engine.namespace}`] } }).catch(() => []);
  for (const c of list) await cluster.engine.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
}
