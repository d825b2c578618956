// Local emulator of a Nomad agent's HTTP API (reference: shared/reference/apis.md §7), on
// 127.0.0.1 with an ephemeral port. Error bodies are plain text, exactly like Nomad's.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDockerClient } from '../../../src/docker/docker-client.ts';
import { testEnv } from '../../support/env.ts';
import { listen, sendJson, sendText } from '../http-util.ts';
import { EMULATOR_LABEL } from './alloc-runner.ts';
import { Cluster } from './cluster.ts';
import { defaultNodes, type EmulatedNode } from './placement.ts';
import { ROUTES, type Call } from './routes.ts';
import type { DeploymentRecord, JobJson } from './state.ts';
import { NomadError } from './validate.ts';

export interface NomadEmulatorOptions {
  /** the ACL token every request must carry (X-Nomad-Token or Bearer); none: ACLs off */
  readonly token?: string;
  /** namespaces besides `default` */
  readonly namespaces?: readonly string[];
  /** the client nodes placement sees (default: three in dc1, 4000 MHz / 4096 MB each) */
  readonly nodes?: readonly EmulatedNode[];
  /** the Docker engine allocations run in (default: the test engine) */
  readonly dockerHost?: string;
  readonly region?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** the token the request carried, if any */
  readonly token?: string;
  status: number;
}

/** An allocation as tests look at it: what runs where, and whether its checks pass. */
export interface AllocationView {
  readonly ID: string;
  readonly JobVersion: number;
  readonly ClientStatus: string;
  readonly DesiredStatus: string;
  readonly Healthy: boolean | null;
  readonly image: string;
  /** the local port standing in for the static port (what PORT is in the container) */
  readonly port?: number;
  readonly passing: boolean;
}

export interface NomadEmulator {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** turns ACLs on (a token) or off (undefined) */
  setToken(token: string | undefined): void;
  /** the next job register (after validation) answers `status` with `text` instead */
  failNextRegister(status: number, text: string): void;
  /** while on, every connection is cut before an answer, as when the agent is down or the network is */
  unreachable(on: boolean): void;
  /** while on, evaluations stay pending (the scheduler has not taken them yet); off: they go on */
  holdEvaluations(on: boolean): void;
  /** runs `hook` before the next job register is applied (e.g. to change the job underneath) */
  beforeNextRegister(hook: () => void | Promise<void>): void;
  job(id: string, namespace?: string): JobJson | undefined;
  versions(id: string, namespace?: string): JobJson[];
  deployments(id: string, namespace?: string): DeploymentRecord[];
  allocations(id: string, namespace?: string): AllocationView[];
  /** the digest the job's running allocations with passing checks run; several: comma-joined */
  runningImage(id: string, namespace?: string): string | undefined;
  /** stops every allocation (removing its container) and the server */
  close(): Promise<void>;
}

/** What tests can change on a running emulator. */
interface Controls {
  token: string | undefined;
  failure: { status: number; text: string } | undefined;
  unreachable: boolean;
  readonly hooks: (() => void | Promise<void>)[];
}

export async function startNomadEmulator(options: NomadEmulatorOptions = {}): Promise<NomadEmulator> {
  const emulatorId = randomBytes(6).toString('hex');
  const docker = createDockerClient(options.dockerHost ?? testEnv().dockerHost);
  const cluster = new Cluster(docker, options.nodes ?? defaultNodes(), emulatorId);
  const controls: Controls = { token: options.token, failure: undefined, unreachable: false, hooks: [] };
  const requests: RecordedRequest[] = [];
  const namespaces = new Set(['default', ...(options.namespaces ?? [])]);
  const srv = await listen(requestHandler(cluster, controls, requests, namespaces, options.region ?? 'global'));
  const allocations = allocationViews(cluster);
  return {
    url: `http://127.0.0.1:${srv.port}`,
    requests,
    setToken: (t) => void (controls.token = t),
    failNextRegister: (status, text) => void (controls.failure = { status, text }),
    unreachable: (on) => void (controls.unreachable = on),
    beforeNextRegister: (hook) => void controls.hooks.push(hook),
    holdEvaluations: (on) => cluster.holdEvaluations(on),
    job: (id, ns = 'default') => cluster.state.current(ns, id),
    versions: (id, ns = 'default') => cluster.state.versions(ns, id),
    deployments: (id, ns = 'default') => cluster.state.jobDeployments(ns, id),
    allocations,
    runningImage(id, ns) {
      const live = allocations(id, ns).filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running' && a.passing);
      const digests = [...new Set(live.map((a) => a.image.split('@')[1] ?? a.image))].sort();
      return digests.length > 0 ? digests.join(',') : undefined;
    },
    async close() {
      await cluster.close();
      const left = await docker.listContainers({ all: true, filters: { label: [`${EMULATOR_LABEL}=${emulatorId}`] } }).catch(() => []);
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      await srv.close();
    },
  };
}

/** Routes a request the way Nomad's agent does: path (404), method (405), region (500), handler. */
function requestHandler(cluster: Cluster, controls: Controls, requests: RecordedRequest[], namespaces: Set<string>, region: string) {
  return async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> => {
    if (controls.unreachable) return void req.socket.destroy();
    const url = new URL(req.url ?? '/', 'http://nomad');
    const presented = headerToken(req);
    const record: RecordedRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), token: presented, status: 0 };
    requests.push(record);
    const reply = (status: number, text: string) => ((record.status = status), sendText(res, status, text));
    const route = ROUTES.map(([re, methods]) => [re.exec(url.pathname), methods] as const).find(([m]) => m);
    if (!route) return reply(404, '');
    const handler = route[1][req.method ?? ''];
    if (!handler) return reply(405, 'Invalid method');
    if (url.searchParams.get('region') && url.searchParams.get('region') !== region) return reply(500, 'No path to region');
    const call: Call = {
      req, raw, query: url.searchParams, namespace: url.searchParams.get('namespace') || 'default', cluster, region,
      knownNamespace: (ns) => namespaces.has(ns),
      authorize() {
        if (controls.token === undefined) return;
        if (!presented) throw new NomadError(403, 'Permission denied');
        if (presented !== controls.token) throw new NomadError(403, 'ACL token not found');
      },
      async beforeRegister() {
        const failure = controls.failure;
        controls.failure = undefined;
        if (failure) throw new NomadError(failure.status, failure.text);
        await controls.hooks.shift()?.();
      },
    };
    try {
      const body = await handler(call, decodeURIComponent(route[0]![1] ?? ''));
      record.status = 200;
      sendJson(res, 200, body, { 'x-nomad-index': String(cluster.state.index), 'x-nomad-knownleader': 'true', 'x-nomad-lastcontact': '0' });
    } catch (err) {
      if (!(err instanceof NomadError)) throw err;
      reply(err.status, err.message);
    }
  };
}

function allocationViews(cluster: Cluster) {
  return (id: string, ns = 'default'): AllocationView[] => cluster.state.jobAllocs(ns, id).map((a) => {
    const rt = cluster.runners.get(a.ID);
    return {
      ID: a.ID, JobVersion: a.JobVersion, ClientStatus: a.ClientStatus, DesiredStatus: a.DesiredStatus, Healthy: a.DeploymentStatus?.Healthy ?? null,
      image: rt?.image ?? '', port: rt ? Object.values(rt.ports)[0] : undefined, passing: rt?.passingSince !== undefined && !rt.dead,
    };
  });
}

function headerToken(req: IncomingMessage): string | undefined {
  const direct = req.headers['x-nomad-token'];
  if (typeof direct === 'string' && direct) return direct;
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return bearer?.[1];
}
