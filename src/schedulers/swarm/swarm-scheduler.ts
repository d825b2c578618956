import type Docker from 'dockerode';
import { pinnedName } from '../../core/image.ts';
import type { LogSink } from '../../core/ports/build-log.ts';
import type { RegistryAuth } from '../../core/ports/registry-credentials.ts';
import type { RegistryCredentials } from '../../core/ports/registry-credentials.ts';
import type { Deployment, Release, Scheduler } from '../../core/ports/scheduler.ts';
import { createDockerClient } from '../../docker/docker-client.ts';
import { createEngines } from '../docker/engines.ts';
import { pullCredentials } from '../docker/image-puller.ts';
import { schedulerError } from '../docker/scheduler-error.ts';
import { parseSettings } from '../parse-settings.ts';
import { healthGate } from './health-gate.ts';
import { probeTasks } from './probe-tasks.ts';
import { watchTasks, watchUpdate, type Verdict, type Watch } from './rollout-watch.ts';
import { pinnedImage, serviceName, serviceSpec, settingsFingerprint, type HealthGate } from './service-spec.ts';
import { SwarmSettingsSchema, type SwarmSettings } from './settings.ts';
import { createService, findService, readyNodes, updateService } from './swarm-api.ts';
import { ensureManager } from './swarm-manager.ts';

export interface SwarmSchedulerOptions {
  /** time between looks at the service, its tasks and the health path; default 500 ms */
  readonly intervalMs?: number;
  /** credentials for SLIPWAY_REGISTRY, sent as X-Registry-Auth so every node can pull */
  readonly registryCredentials?: RegistryCredentials;
  /** the client for a block's `swarm.host`, made once per host; default: createDockerClient */
  readonly connect?: (host: string) => Docker;
}

/** One rollout's fixed facts, handed from step to step. */
interface Rollout {
  readonly release: Release;
  /** the release's pinned image, `repo:tag@sha256:…` */
  readonly image: string;
  readonly settings: SwarmSettings;
  /** the service's name, `<service>-<environment>` */
  readonly name: string;
  /** the manager the service lives on */
  readonly docker: Docker;
  readonly log: LogSink;
  readonly deadlineMs: number;
  /** how to watch the service (for `image`, or another image: the one a rollback goes back to) */
  readonly watch: (serviceId: string, image?: string) => Watch;
}

/**
 * The `swarm` scheduler: a Swarm service `<service>-<environment>` on the swarm the worker's
 * DOCKER_HOST (or the block's `swarm.host`) manages, host network, at most one task per node.
 * The first deploy creates it; later ones update its whole spec at its current version, and the
 * engine rolls the tasks one at a time, gated on health, rolling back by itself when a new task
 * fails. Slipway reads the outcome from the engine's UpdateStatus and the failed tasks' own
 * errors, and asks for the rollback itself when the update does not settle within the deadline
 * or its own probe of the health path fails (images without wget or curl).
 */
export function createSwarmScheduler(buildEngine: Docker, options: SwarmSchedulerOptions = {}): Scheduler {
  const intervalMs = options.intervalMs ?? 500;
  const engineFor = createEngines(buildEngine, options.connect ?? ((host) => createDockerClient(host)), 'swarm.host');
  return {
    async deploy(release, log, { deadlineMs, signal }) {
      try {
        const settings = parseSettings('swarm', SwarmSettingsSchema, release.settings);
        const engine = engineFor(settings.host);
        log.line(`Deploying on the swarm of ${engine.label}`);
        await ensureManager(engine.docker, engine.label);
        const image = pinnedImage(release);
        const watch = (serviceId: string, watched = image): Watch =>
          ({ docker: engine.docker, serviceId, image: watched, replicas: settings.replicas, intervalMs, log, signal });
        const r: Rollout = { docker: engine.docker, log, release, settings, name: serviceName(release.service, release.environment), image, deadlineMs, watch };
        return await rollOut(r, buildEngine, options.registryCredentials);
      } catch (err) {
        throw schedulerError(err);
      }
    },
  };
}

async function rollOut(r: Rollout, buildEngine: Docker, credentials: RegistryCredentials | undefined): Promise<Deployment> {
  const current = await findService(r.docker, r.name);
  if (current && specImage(current.Spec) === r.image && current.Spec?.Labels?.['slipway.settings'] === settingsFingerprint(r.settings)) {
    return alreadyRunning(r, current);
  }
  const gate = await healthGate(buildEngine, pinnedName(r.release.image), `http://127.0.0.1:${r.settings.port}${r.settings.health_path}`);
  r.log.line(gate.by === 'engine' ? 'Health: the engine checks each task' : `Health: Slipway probes ${r.settings.health_path} (no wget or curl in the image)`);
  const order = (await readyNodes(r.docker)) > r.settings.replicas ? 'start-first' : 'stop-first';
  const spec = serviceSpec({ release: r.release, settings: r.settings, health: gate, order });
  const auth = await pullCredentials(credentials, r.image);
  return current ? update(r, current, spec, auth, gate, order) : create(r, spec, auth, gate);
}

async function create(r: Rollout, spec: Docker.ServiceSpec, auth: RegistryAuth | undefined, gate: HealthGate): Promise<Deployment> {
  const tag = r.release.image.tag;
  r.log.line(`Creating service ${r.name}: ${r.settings.replicas} × ${tag}`);
  const id = await createService(r.docker, spec, auth);
  const verdict = await healthy(r, id, gate, await watchTasks(r.watch(id), r.deadlineMs, true));
  if (verdict.kind === 'running') return succeeded(r, undefined);
  r.log.line(`${tag} did not become healthy: ${verdict.reason}`);
  r.log.line(`Removing service ${r.name}: no previous release to roll back to`);
  await r.docker.getService(id).remove();
  return { outcome: 'failed', detail: verdict.reason };
}

async function update(
  r: Rollout, current: Docker.Service, spec: Docker.ServiceSpec, auth: RegistryAuth | undefined, gate: HealthGate, order: string,
): Promise<Deployment> {
  const previous = specImage(current.Spec);
  const tag = r.release.image.tag;
  r.log.line(`Updating service ${r.name} to ${tag} (${order}, one task at a time)`);
  await updateService(r.docker, current.ID, { spec }, auth);
  const since = ((await r.docker.getService(current.ID).inspect()) as Docker.Service).UpdatedAt;
  const verdict = await healthy(r, current.ID, gate, await watchUpdate(r.watch(current.ID), r.deadlineMs, since));
  if (verdict.kind === 'running') return succeeded(r, previous);
  if (verdict.kind === 'failed') return { outcome: 'failed', detail: verdict.reason, previous };
  if (verdict.kind === 'rolled_back') {
    r.log.line(`${tag} did not become healthy: ${verdict.reason}; the engine rolled back`);
  } else {
    r.log.line(`${tag} did not become healthy: ${verdict.reason}; asking the engine to roll back`);
    await askRollback(r, current.ID, spec);
    const back = await watchUpdate(r.watch(current.ID, previous), r.deadlineMs, undefined);
    if (back.kind !== 'rolled_back') {
      const why = back.kind === 'running' ? 'it did not settle' : back.reason;
      return { outcome: 'failed', detail: `${verdict.reason}; the rollback did not finish: ${why}`, previous };
    }
  }
  return rolledBack(r, current, previous, verdict.reason);
}

/**
 * Asks the engine to go back to the previous spec. It may have begun that rollback itself in the
 * meantime (it then has no previous spec left and refuses): that rollback is the one to watch.
 */
async function askRollback(r: Rollout, id: string, spec: Docker.ServiceSpec): Promise<void> {
  try {
    await updateService(r.docker, id, { spec, rollback: true }, undefined);
  } catch (err) {
    const state = ((await r.docker.getService(id).inspect()) as Docker.Service).UpdateStatus?.State;
    if (state !== 'rollback_started' && state !== 'rollback_completed') throw err;
  }
}

/** After the engine's rollback: the previous release's tasks must run (and answer) again, within the deadline. */
async function rolledBack(r: Rollout, current: Docker.Service, previous: string | undefined, reason: string): Promise<Deployment> {
  const back = await healthy(r, current.ID, gateOf(current.Spec), await watchTasks(r.watch(current.ID, previous), r.deadlineMs, false));
  r.log.line(back.kind === 'running' ? 'The previous release runs again' : `The previous release was started again but ${back.reason}`);
  const detail = back.kind === 'running' ? reason : `${reason}; the previous release was started again but is ${back.reason}`;
  return { outcome: 'rolled_back', detail, previous };
}

/** The running image again with the same block: a no-op, once its tasks run and are healthy. */
async function alreadyRunning(r: Rollout, current: Docker.Service): Promise<Deployment> {
  const verdict = await healthy(r, current.ID, gateOf(current.Spec), await watchTasks(r.watch(current.ID), r.deadlineMs, false));
  if (verdict.kind !== 'running') return { outcome: 'failed', detail: verdict.reason };
  r.log.line(`${r.release.image.tag} already runs as service ${r.name}; nothing to do`);
  return { outcome: 'succeeded', detail: 'already running' };
}

/** Once the engine says the tasks run: with Slipway's probe, they must also answer on the health path. */
async function healthy(r: Rollout, serviceId: string, gate: HealthGate, verdict: Verdict): Promise<Verdict> {
  if (verdict.kind !== 'running' || gate.by === 'engine') return verdict;
  const probed = await probeTasks(r.watch(serviceId), r.settings, r.deadlineMs);
  return probed.healthy ? verdict : { kind: 'stuck', reason: probed.reason };
}

function succeeded(r: Rollout, previous: string | undefined): Deployment {
  r.log.line(`${r.release.image.tag} runs healthy as service ${r.name} (${r.settings.replicas} task${r.settings.replicas === 1 ? '' : 's'})`);
  return { outcome: 'succeeded', detail: `${r.settings.replicas} of ${r.settings.replicas} tasks healthy`, previous };
}

/** How a spec the engine runs is health-checked: by the engine when it has a health check (the engine says `Healthcheck`). */
function gateOf(spec: Docker.ServiceSpec | undefined): HealthGate {
  const container = containerSpec(spec) as (Docker.ContainerSpec & { Healthcheck?: unknown }) | undefined;
  return container?.HealthCheck ?? container?.Healthcheck ? { by: 'engine' } : { by: 'slipway' };
}

function containerSpec(spec: Docker.ServiceSpec | undefined): Docker.ContainerSpec | undefined {
  return (spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec;
}

function specImage(spec: Docker.ServiceSpec | undefined): string | undefined {
  return containerSpec(spec)?.Image;
}
