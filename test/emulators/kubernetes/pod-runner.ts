// One pod, run for real as the kubelet would: each container's image is pulled (resolved in the
// real registry; unresolvable → ErrImagePull / ImagePullBackOff), run in the test engine on the
// host network, restarted with back-off when it exits (CrashLoopBackOff), and readiness-probed.
// Pods share the host's network, so each containerPort gets a free local port standing in for it:
// env values naming the containerPort, and probes on it, are pointed at the stand-in.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { freePort } from '../../support/free-port.ts';
import { pullImage } from './image-pull.ts';
import { rfc3339, type Objects } from './objects.ts';
import { probeFailure, type ProbeSpec } from './readiness.ts';

type Json = any;

/** Label on every container the emulator starts, with the emulator's id: what cleanup looks for. */
export const EMULATOR_LABEL = 'slipway.kubernetes-emulator';

export interface KubeletDeps {
  readonly docker: Docker;
  readonly objects: Objects;
  readonly emulatorId: string;
  /** first back-off after a failed pull or an exit; doubles up to 300 s (the kubelet starts at 10 s) */
  readonly backoffMs: number;
}

interface ContainerRun { readonly spec: Json; readonly status: Json; readonly ports: Map<string, number>; containerId?: string }

/** A pod being run; `stop` removes its containers. */
export interface PodRun { readonly pod: Json; stop(): Promise<void> }

export function runPod(deps: KubeletDeps, pod: Json): PodRun {
  const stopper = new AbortController();
  const runs: ContainerRun[] = pod.spec.containers.map((c: Json) => ({
    spec: c, ports: new Map(), status: { name: c.name, ready: false, restartCount: 0, image: c.image, imageID: '', started: false, state: { waiting: { reason: 'ContainerCreating' } } },
  }));
  pod.status = {
    phase: 'Pending', hostIP: '127.0.0.1', podIP: '127.0.0.1', startTime: rfc3339(), qosClass: 'BestEffort',
    conditions: [condition('PodScheduled', true), condition('Initialized', true), condition('ContainersReady', false), condition('Ready', false)],
    containerStatuses: runs.map((r) => r.status),
  };
  const changed = () => refreshPod(deps.objects, pod, runs);
  for (const run of runs) {
    void runContainer(deps, pod, run, changed, stopper.signal).catch((err: unknown) => {
      if (!stopper.signal.aborted) setWaiting(run, 'RunContainerError', `emulator error: ${String(err)}`, changed);
    });
  }
  return {
    pod,
    async stop() {
      stopper.abort();
      for (const run of runs) {
        deps.objects.event(on(pod, run), 'Normal', 'Killing', `Stopping container ${run.spec.name}`);
        if (run.containerId) await deps.docker.getContainer(run.containerId).remove({ force: true, v: true }).catch(() => undefined);
      }
    },
  };
}

const on = (pod: Json, run: ContainerRun) => ({ kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, fieldPath: `spec.containers{${run.spec.name}}` });
const condition = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: rfc3339() });

async function runContainer(deps: KubeletDeps, pod: Json, run: ContainerRun, changed: () => void, signal: AbortSignal): Promise<void> {
  for (const p of run.spec.ports ?? []) run.ports.set(String(p.containerPort), await freePort());
  await pull(deps, pod, run, changed, signal);
  const container = await deps.docker.createContainer({
    name: `k8s_${run.spec.name}_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_0`,
    Image: run.spec.image,
    ...(run.spec.command ? { Entrypoint: run.spec.command } : {}),
    ...(run.spec.args ? { Cmd: run.spec.args } : {}),
    Env: (run.spec.env ?? []).map((e: Json) => `${e.name}=${run.ports.get(String(e.value)) ?? e.value ?? ''}`),
    Labels: { [EMULATOR_LABEL]: deps.emulatorId, 'io.kubernetes.pod.name': pod.metadata.name, 'io.kubernetes.pod.namespace': pod.metadata.namespace, 'io.kubernetes.container.name': run.spec.name },
    HostConfig: { NetworkMode: 'host' },
  });
  run.containerId = container.id;
  if (signal.aborted) return void (await container.remove({ force: true }).catch(() => undefined));
  deps.objects.event(on(pod, run), 'Normal', 'Created', `Created container ${run.spec.name}`);
  for (let backoff = deps.backoffMs; !signal.aborted; backoff = Math.min(backoff * 2, 300_000)) {
    await container.start();
    const startedAt = rfc3339();
    Object.assign(run.status, { state: { running: { startedAt } }, started: true, containerID: `docker://${container.id}`, imageID: run.spec.image });
    deps.objects.event(on(pod, run), 'Normal', 'Started', `Started container ${run.spec.name}`);
    changed();
    void readinessLoop(deps, pod, run, changed, signal);
    const exit = (await container.wait().catch(() => undefined)) as { StatusCode?: number } | undefined;
    if (signal.aborted || !exit) return;
    const exitCode = exit.StatusCode ?? -1;
    Object.assign(run.status, {
      ready: false, started: false, restartCount: run.status.restartCount + 1,
      lastState: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: rfc3339(), containerID: `docker://${container.id}` } },
    });
    const name = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    setWaiting(run, 'CrashLoopBackOff', `back-off ${Math.round(backoff / 1000)}s restarting failed container=${run.spec.name} pod=${name}`, changed);
    deps.objects.event(on(pod, run), 'Warning', 'BackOff', `Back-off restarting failed container ${run.spec.name} in pod ${name}`);
    await sleep(backoff, undefined, { signal }).catch(() => undefined);
  }
}

/** Pulls until it works, backing off between tries; an invalid name is never retried. */
async function pull(deps: KubeletDeps, pod: Json, run: ContainerRun, changed: () => void, signal: AbortSignal): Promise<void> {
  const image = run.spec.image;
  for (let backoff = deps.backoffMs; ; backoff = Math.min(backoff * 2, 300_000)) {
    signal.throwIfAborted();
    deps.objects.event(on(pod, run), 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = Date.now();
    const failure = await pullImage(deps.docker, image);
    if (!failure) {
      deps.objects.event(on(pod, run), 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${Date.now() - started}ms`);
      return;
    }
    if (failure.reason === 'InvalidImageName') {
      setWaiting(run, failure.reason, failure.message, changed);
      deps.objects.event(on(pod, run), 'Warning', 'InspectFailed', failure.message);
      deps.objects.event(on(pod, run), 'Warning', 'Failed', `Error: ${failure.reason}`);
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }
    setWaiting(run, 'ErrImagePull', failure.message, changed);
    deps.objects.event(on(pod, run), 'Warning', 'Failed', `Failed to pull image "${image}": ${failure.message}`);
    deps.objects.event(on(pod, run), 'Warning', 'Failed', 'Error: ErrImagePull');
    await sleep(Math.min(backoff, 1000), undefined, { signal });
    setWaiting(run, 'ImagePullBackOff', `Back-off pulling image "${image}": ErrImagePull: ${failure.message}`, changed);
    deps.objects.event(on(pod, run), 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
    deps.objects.event(on(pod, run), 'Warning', 'Failed', 'Error: ImagePullBackOff');
    await sleep(backoff, undefined, { signal });
  }
}

function setWaiting(run: ContainerRun, reason: string, message: string, changed: () => void): void {
  run.status.state = { waiting: { reason, message } };
  run.status.ready = false;
  changed();
}

/** Probes while this start of the container runs; without a probe it is ready once running. */
async function readinessLoop(deps: KubeletDeps, pod: Json, run: ContainerRun, changed: () => void, signal: AbortSignal): Promise<void> {
  const probe: ProbeSpec | undefined = run.spec.readinessProbe;
  const running = () => !signal.aborted && run.status.state.running !== undefined;
  if (!probe) return void (setReady(run, true), changed());
  await sleep((probe.initialDelaySeconds ?? 0) * 1000, undefined, { signal }).catch(() => undefined);
  let failures = 0;
  let successes = 0;
  while (running()) {
    const failure = await probeFailure(probe, run.spec, run.ports);
    if (!running()) return;
    if (failure === undefined) {
      failures = 0;
      if (++successes >= (probe.successThreshold ?? 1)) setReady(run, true);
    } else {
      successes = 0;
      deps.objects.event(on(pod, run), 'Warning', 'Unhealthy', `Readiness probe failed: ${failure}`);
      if (++failures >= (probe.failureThreshold ?? 3)) setReady(run, false);
    }
    changed();
    await sleep((probe.periodSeconds ?? 10) * 1000, undefined, { signal }).catch(() => undefined);
  }
}

function setReady(run: ContainerRun, ready: boolean): void {
  run.status.ready = ready;
}

/** The pod's phase and conditions from its containers'; a new resourceVersion when they changed. */
function refreshPod(objects: Objects, pod: Json, runs: ContainerRun[]): void {
  const before = JSON.stringify(pod.status);
  const started = runs.some((r) => r.status.state.running || r.status.lastState);
  pod.status.phase = started ? 'Running' : 'Pending';
  const ready = runs.every((r) => r.status.ready);
  for (const c of pod.status.conditions) {
    if ((c.type === 'Ready' || c.type === 'ContainersReady') && (c.status === 'True') !== ready) {
      Object.assign(c, { status: ready ? 'True' : 'False', lastTransitionTime: rfc3339() });
      if (!ready) Object.assign(c, { reason: 'ContainersNotReady', message: `containers with unready status: [${runs.filter((r) => !r.status.ready).map((r) => r.spec.name).join(' ')}]` });
      else {
        delete c.reason;
        delete c.message;
      }
    }
  }
  if (JSON.stringify(pod.status) !== before) objects.touch(pod);
}

/** Since when the pod has been Ready (all its containers), for minReadySeconds; undefined if not ready. */
export function readySince(pod: Json): number | undefined {
  const ready = (pod.status?.conditions ?? []).find((c: Json) => c.type === 'Ready');
  return ready?.status === 'True' ? Date.parse(ready.lastTransitionTime) : undefined;
}
