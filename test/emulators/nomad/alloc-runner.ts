// One allocation, run for real: the image is resolved in the registry its reference names, run as
// a container in the test Docker engine on the host network, and the group's HTTP service checks
// are probed against it, the way a Nomad client with the docker driver would.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { freePort } from '../../support/free-port.ts';
import { rfc3339, type AllocRecord, type JobJson, type NomadState, type TaskEvent } from './state.ts';
import { arr } from './validate.ts';

/** Label on every container the emulator starts, with the emulator's id: what cleanup looks for. */
export const EMULATOR_LABEL = 'slipway.nomad-emulator';
const FIRST_CHECK_MS = 250;

export interface RunnerDeps {
  readonly docker: Docker;
  readonly state: NomadState;
  readonly emulatorId: string;
}

/** A running allocation as the rollout sees it; the AllocRecord is what the API shows. */
export interface AllocRuntime {
  readonly alloc: AllocRecord;
  readonly image: string;
  /** label → the local port standing in for that node's static port */
  readonly ports: Readonly<Record<string, number>>;
  /** when the task started running; undefined until it does */
  startedAt?: number;
  /** since when every service check has passed without a failure in between */
  passingSince?: number;
  /** the task is dead (failed to start or exited) */
  dead: boolean;
  stop(description: string): Promise<void>;
}

interface Check { readonly path: string; readonly intervalMs: number; readonly timeoutMs: number; readonly label: string }

/** Places the allocation's task: pull, create, start, then check until stopped. */
export async function startAllocation(deps: RunnerDeps, alloc: AllocRecord, job: JobJson, tg: any): Promise<AllocRuntime> {
  const task = arr(tg.Tasks)[0];
  const ports: Record<string, number> = {};
  for (const p of arr(tg.Networks).flatMap((n) => [...arr(n.ReservedPorts), ...arr(n.DynamicPorts)])) ports[p.Label] = await freePort();
  const runtime: AllocRuntime = { alloc, image: String(task.Config?.image ?? ''), ports, dead: false, stop: async () => undefined };
  let stopped = false;
  let containerId: string | undefined;
  runtime.stop = async (description) => {
    stopped = true;
    alloc.DesiredStatus = 'stop';
    alloc.DesiredDescription = description;
    if (containerId) await deps.docker.getContainer(containerId).remove({ force: true, v: true }).catch(() => undefined);
    if (!runtime.dead) {
      addEvent(deps, alloc, task.Name, { Type: 'Killed', DisplayMessage: 'Task successfully killed' }, 'dead');
      alloc.ClientStatus = 'complete';
    }
    deps.state.touch(alloc);
  };
  addEvent(deps, alloc, task.Name, { Type: 'Received', DisplayMessage: 'Task received by client' }, 'pending');
  void (async () => {
    containerId = await launch(deps, runtime, job, tg, task);
    if (stopped && containerId) await deps.docker.getContainer(containerId).remove({ force: true }).catch(() => undefined);
    if (!containerId || stopped) return;
    void awaitContainerEnd(deps, runtime, containerId, task.Name, () => stopped);
    await checkLoop(runtime, checksOf(tg, task, ports), () => stopped || runtime.dead);
  })().catch((err: unknown) => fail(deps, runtime, task.Name, 'Driver Failure', `emulator error: ${String(err)}`));
  return runtime;
}

async function launch(deps: RunnerDeps, rt: AllocRuntime, job: JobJson, tg: any, task: any): Promise<string | undefined> {
  addEvent(deps, rt.alloc, task.Name, { Type: 'Driver', DisplayMessage: `Downloading image` }, 'pending');
  const pulled = await pull(deps.docker, rt.image);
  if (pulled) return void fail(deps, rt, task.Name, 'Driver Failure', `Failed to pull \`${rt.image}\`: ${pulled}`);
  try {
    const container = await deps.docker.createContainer({
      name: `${task.Name}-${rt.alloc.ID}`,
      Image: rt.image,
      Env: Object.entries(environment(job, tg, task, rt)).map(([k, v]) => `${k}=${v}`),
      Labels: { [EMULATOR_LABEL]: deps.emulatorId, 'com.hashicorp.nomad.alloc_id': rt.alloc.ID, 'com.hashicorp.nomad.job_id': job.ID, 'com.hashicorp.nomad.namespace': job.Namespace },
      HostConfig: { NetworkMode: 'host', Memory: task.Resources.MemoryMB * 1024 * 1024, CpuShares: task.Resources.CPU },
    });
    await container.start();
    rt.startedAt = Date.now();
    rt.alloc.ClientStatus = 'running';
    addEvent(deps, rt.alloc, task.Name, { Type: 'Started', DisplayMessage: 'Task started by client' }, 'running');
    return container.id;
  } catch (err) {
    return void fail(deps, rt, task.Name, 'Driver Failure', `failed to create container: ${(err as Error).message}`);
  }
}

/**
 * Resolves the image's manifest in the registry its reference names (HEAD, as `docker pull`
 * does first), then makes sure the engine has it. Returns the failure in docker-driver words.
 */
async function pull(docker: Docker, image: string): Promise<string | undefined> {
  const m = /^([^/]+)\/(.+?)(?:@(sha256:[0-9a-f]{64})|:([^:/@]+))$/.exec(image);
  if (!m) return `API error (400): invalid reference format`;
  const [, host, repository, digest, tag] = m;
  try {
    const res = await fetch(`http://${host}/v2/${repository}/manifests/${digest ?? tag}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json' },
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 404) return `API error (404): manifest for ${image} not found: manifest unknown: manifest unknown`;
    if (res.status === 401) return `API error (500): Head "http://${host}/v2/${repository}/manifests/${digest ?? tag}": no basic auth credentials`;
    if (!res.ok) return `API error (500): received unexpected HTTP status: ${res.status}`;
  } catch (err) {
    return `API error (500): Get "http://${host}/v2/": ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`;
  }
  try {
    await docker.getImage(image).inspect();
  } catch {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  }
  return undefined;
}

/** The task's env, Nomad's NOMAD_* variables, and values naming a static port rewritten to its stand-in. */
function environment(job: JobJson, tg: any, task: any, rt: AllocRuntime): Record<string, string> {
  const statics = new Map(arr(tg.Networks).flatMap((n) => arr(n.ReservedPorts)).map((p) => [String(p.Value), String(rt.ports[p.Label])]));
  const env: Record<string, string> = {
    NOMAD_ALLOC_ID: rt.alloc.ID, NOMAD_JOB_ID: job.ID, NOMAD_JOB_NAME: job.Name, NOMAD_GROUP_NAME: tg.Name, NOMAD_TASK_NAME: task.Name,
    NOMAD_NAMESPACE: job.Namespace, NOMAD_REGION: job.Region, NOMAD_DC: 'dc1', NOMAD_CPU_LIMIT: String(task.Resources.CPU), NOMAD_MEMORY_LIMIT: String(task.Resources.MemoryMB),
  };
  for (const [label, port] of Object.entries(rt.ports)) {
    Object.assign(env, { [`NOMAD_PORT_${label}`]: String(port), [`NOMAD_HOST_PORT_${label}`]: String(port), [`NOMAD_IP_${label}`]: '127.0.0.1', [`NOMAD_ADDR_${label}`]: `127.0.0.1:${port}` });
  }
  for (const [key, value] of Object.entries(task.Env ?? {})) {
    const text = String(value).replace(/\$\{(NOMAD_[A-Za-z0-9_]+)\}/g, (all, name: string) => env[name] ?? all);
    env[key] = statics.get(text) ?? text;
  }
  return env;
}

function checksOf(tg: any, task: any, ports: Record<string, number>): Check[] {
  return [...arr(tg.Services), ...arr(task.Services)].flatMap((s) => arr(s.Checks).filter((c) => c.Type === 'http').map((c) => ({
    path: c.Path, intervalMs: c.Interval / 1e6, timeoutMs: c.Timeout / 1e6, label: c.PortLabel ?? s.PortLabel,
  }))).filter((c) => ports[c.label] !== undefined);
}

/** The driver's wait: the moment the container exits on its own, the task is dead. */
async function awaitContainerEnd(deps: RunnerDeps, rt: AllocRuntime, containerId: string, task: string, stopped: () => boolean): Promise<void> {
  const result = (await deps.docker.getContainer(containerId).wait().catch(() => undefined)) as { StatusCode?: number } | undefined;
  if (stopped() || !result) return;
  fail(deps, rt, task, 'Terminated', `Exit Code: ${result.StatusCode ?? -1}`, result.StatusCode ?? -1);
}

/** Probes every check at the group's check interval (the first one shortly after the start) until stopped. */
async function checkLoop(rt: AllocRuntime, checks: Check[], over: () => boolean): Promise<void> {
  await sleep(FIRST_CHECK_MS);
  const intervalMs = checks.length > 0 ? Math.min(...checks.map((c) => c.intervalMs)) : 1000;
  while (!over()) {
    const results = await Promise.all(checks.map((c) => probe(`http://127.0.0.1:${rt.ports[c.label]}${c.path}`, c.timeoutMs)));
    if (over()) return;
    if (results.every(Boolean)) rt.passingSince ??= Date.now();
    else rt.passingSince = undefined;
    await sleep(intervalMs);
  }
}

async function probe(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { connection: 'close' }, redirect: 'manual' });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300;
  } catch {
    return false;
  }
}

function fail(deps: RunnerDeps, rt: AllocRuntime, task: string, type: string, message: string, exitCode = 0): void {
  rt.dead = true;
  rt.passingSince = undefined;
  const driver = type === 'Driver Failure' ? { DriverError: message } : {};
  addEvent(deps, rt.alloc, task, { Type: type, DisplayMessage: message, ExitCode: exitCode, ...driver }, 'dead', true);
  addEvent(deps, rt.alloc, task, { Type: 'Not Restarting', DisplayMessage: 'Error was unrecoverable' }, 'dead', true);
  rt.alloc.ClientStatus = 'failed';
  deps.state.touch(rt.alloc);
}

export function addEvent(deps: Pick<RunnerDeps, 'state'>, alloc: AllocRecord, task: string, e: Partial<TaskEvent>, state?: string, failed?: boolean): void {
  const ts = (alloc.TaskStates[task] ??= { State: 'pending', Failed: false, Restarts: 0, StartedAt: null, FinishedAt: null, Events: [] });
  ts.Events.push({ Type: '', Time: Date.now() * 1e6, DisplayMessage: '', DriverError: '', ExitCode: 0, Details: {}, ...e, Message: e.Message ?? e.DisplayMessage ?? '' });
  if (state) {
    if (state === 'running' && ts.State !== 'running') ts.StartedAt = rfc3339();
    if (state === 'dead' && ts.State !== 'dead') ts.FinishedAt = rfc3339();
    ts.State = state;
  }
  if (failed) ts.Failed = true;
  deps.state.touch(alloc);
}
