import type Docker from 'dockerode';
import { pinnedName } from '../../core/image.ts';
import type { LogSink } from '../../core/ports/build-log.ts';
import type { RegistryCredentials } from '../../core/ports/registry-credentials.ts';
import type { Deployment, Release, Scheduler } from '../../core/ports/scheduler.ts';
import type { PreviewPorts } from '../../core/ports/preview-ports.ts';
import type { PreviewScheduler } from '../../core/ports/preview-scheduler.ts';
import { createDockerClient } from '../../docker/docker-client.ts';
import { engineFailure, isNotFound } from '../../docker/engine-error.ts';
import { seconds, waitForHealth, type HealthOutcome } from '../health-check.ts';
import { parseSettings } from '../parse-settings.ts';
import { createDockerPreviews } from './docker-previews.ts';
import { engineImages } from './engine-images.ts';
import { createEngines } from './engines.ts';
import { ensureImage } from './image-puller.ts';
import { probeHost } from './probe-host.ts';
import { exitReason, findContainer, lastLines, removeContainer, type NamedContainer } from './named-containers.ts';
import { containerName, releaseContainer, settingsFingerprint } from './release-container.ts';
import { schedulerError } from './scheduler-error.ts';
import { DockerSettingsSchema, type DockerSettings } from './settings.ts';

export interface DockerSchedulerOptions {
  /** time between health probes; default 500 ms */
  readonly healthIntervalMs?: number;
  /** credentials for pulling images the engine does not have, asked for before each pull */
  readonly registryCredentials?: RegistryCredentials;
  /** the client for a block's `docker.host`, made once per host; default: createDockerClient (TLS from Docker's variables) */
  readonly connect?: (host: string) => Docker;
  /** the host ports previews hold (docker-previews.ts); without it, previews cannot be placed */
  readonly previewPorts?: PreviewPorts;
}

/** One rollout's fixed facts, handed from step to step. */
interface Rollout {
  readonly docker: Docker;
  readonly log: LogSink;
  readonly release: Release;
  readonly settings: DockerSettings;
  readonly name: string;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

/**
 * The `docker` scheduler: one container per (service, environment) on one Docker host, named
 * `slipway-<service>-<environment>`, host network. The host is the block's `docker.host`, else
 * the worker's own engine (`docker`); every step of a rollout (pull, containers, rollback,
 * health probe) happens on that one engine. A rollout pulls the pinned image if needed,
 * creates the new container (so a bad config is refused before anything stops), stops the
 * running one and keeps it as `<name>-previous`, starts the new one and waits for its health
 * path. Healthy → the previous container is removed. Not healthy (or exited) → the new one is
 * removed and the previous one started again; with no previous one the rollout has failed and
 * nothing is left running. Previews (pr-<n>) are releases on ports of their own: docker-previews.ts.
 */
export function createDockerScheduler(docker: Docker, options: DockerSchedulerOptions = {}): Scheduler & PreviewScheduler {
  const intervalMs = options.healthIntervalMs ?? 500;
  const engineFor = createEngines(docker, options.connect ?? ((host) => createDockerClient(host)));
  return {
    ...createDockerPreviews(engineFor, options.previewPorts),
    async deploy(release, log, { deadlineMs, signal }) {
      try {
        const settings = parseSettings('docker', DockerSettingsSchema, release.settings);
        const name = containerName(release.service, release.environment);
        const engine = engineFor(settings.host);
        log.line(`Deploying on ${engine.label}`);
        return await rollOut({ docker: engine.docker, log, release, settings, name, intervalMs, deadlineMs, signal }, options.registryCredentials);
      } catch (err) {
        throw schedulerError(err);
      }
    },
  };
}

async function rollOut(r: Rollout, credentials: RegistryCredentials | undefined): Promise<Deployment> {
  const image = pinnedName(r.release.image);
  const current = await findContainer(r.docker, r.name);
  if (current?.running && current.image === image && current.settings === settingsFingerprint(r.settings)) {
    // Same release, same block: a no-op, but only once it is healthy. A rollout interrupted after
    // the new container took the name (its worker died) leaves exactly this: finish its check.
    const health = await waitHealthy(r, current.id);
    if (health.healthy) {
      r.log.line(`${current.label} already runs as ${r.name}; nothing to do`);
      return { outcome: 'succeeded', detail: 'already running' };
    }
    return rollBack(r, current.id, await findContainer(r.docker, `${r.name}-previous`), health.reason);
  }
  await ensureImage(r.docker, image, credentials, r.log);
  // on a docker.host engine Slipway's images are its own to prune (engine-images.ts); on the worker's own, the janitor's
  if (r.settings.host !== undefined) await holdImage(r, credentials);
  const nextId = await createNext(r);
  let previous: NamedContainer | undefined;
  let deployment: Deployment;
  try {
    previous = await retire(r, current);
    deployment = await startNext(r, nextId, previous);
  } catch (err) {
    if (!engineFailure(err).unreachable) await restore(r, nextId, previous ?? current).catch(() => undefined);
    throw err;
  }
  if (deployment.outcome === 'succeeded' && r.settings.host !== undefined) await engineImages.settle(r.docker, r.release, previous?.image, r.log);
  return deployment;
}

/** Marks the release image as this rollout's; pulled again if another environment's pruning took it since the check. */
async function holdImage(r: Rollout, credentials: RegistryCredentials | undefined): Promise<void> {
  try {
    await engineImages.hold(r.docker, r.release);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await ensureImage(r.docker, pinnedName(r.release.image), credentials, r.log);
    await engineImages.hold(r.docker, r.release);
  }
}

/** Creates the new container beside the running one, as `<name>-next`. */
async function createNext(r: Rollout): Promise<string> {
  const nextName = `${r.name}-next`;
  await removeContainer(r.docker, nextName);
  r.log.line(`Creating ${nextName} from ${pinnedName(r.release.image)}`);
  const container = await r.docker.createContainer(releaseContainer(r.release, r.settings, nextName));
  return container.id;
}

/** Stops the running container and keeps it as `<name>-previous`: what a rollback goes back to. */
async function retire(r: Rollout, current: NamedContainer | undefined): Promise<NamedContainer | undefined> {
  const previousName = `${r.name}-previous`;
  if (!current) {
    const leftover = await findContainer(r.docker, previousName);
    if (leftover) r.log.line(`Keeping ${leftover.label} (${previousName}, left by an interrupted deploy) to roll back to`);
    return leftover;
  }
  r.log.line(`Stopping ${current.label} (previous release)`);
  await r.docker.getContainer(current.id).stop({ t: 10 }).catch(unlessStatus(304));
  await removeContainer(r.docker, previousName);
  await r.docker.getContainer(current.id).rename({ name: previousName });
  return { ...current, name: previousName, running: false };
}

async function startNext(r: Rollout, nextId: string, previous: NamedContainer | undefined): Promise<Deployment> {
  const tag = r.release.image.tag;
  await r.docker.getContainer(nextId).rename({ name: r.name });
  r.log.line(`Starting ${tag}`);
  const outcome = await startAndWait(r, nextId);
  if (!outcome.healthy) return rollBack(r, nextId, previous, outcome.reason);
  r.log.line(`${tag} is healthy after ${seconds(outcome.afterMs)}`);
  if (previous) {
    r.log.line(`Removing ${previous.label} (previous release)`);
    await removeContainer(r.docker, previous.id);
  }
  return { outcome: 'succeeded', detail: `healthy after ${seconds(outcome.afterMs)}`, previous: previous?.image };
}

async function startAndWait(r: Rollout, id: string): Promise<HealthOutcome> {
  try {
    await r.docker.getContainer(id).start();
  } catch (err) {
    const failure = engineFailure(err);
    if (failure.unreachable || failure.status === 304) throw err;
    return { healthy: false, exited: true, reason: `the container did not start: ${failure.message}` };
  }
  return waitHealthy(r, id);
}

/** Waits for the health path; when the container died, the log gets its last lines. */
async function waitHealthy(r: Rollout, id: string): Promise<HealthOutcome> {
  const url = `http://${probeHost(r.docker)}:${r.settings.port}${r.settings.health_path}`;
  r.log.line(`Waiting for ${url}`);
  const outcome = await waitForHealth({
    url, path: r.settings.health_path, intervalMs: r.intervalMs, deadlineMs: r.deadlineMs, signal: r.signal,
    exited: () => exitReason(r.docker, id),
  });
  if (outcome.healthy) return outcome;
  const lines = await lastLines(r.docker, id, 20).catch(() => []);
  if (lines.length > 0) r.log.line('Last output of the container:');
  for (const line of lines) r.log.line(`  | ${line.text}`);
  // the reason a process died is usually its last word on stderr, which may not be its last line
  const last = (lines.filter((l) => l.stderr).at(-1) ?? lines.at(-1))?.text;
  return last && outcome.exited ? { ...outcome, reason: `${outcome.reason}; last output: ${last}` } : outcome;
}

async function rollBack(r: Rollout, nextId: string, previous: NamedContainer | undefined, reason: string): Promise<Deployment> {
  const tag = r.release.image.tag;
  r.log.line(`${tag} did not become healthy: ${reason}`);
  r.log.line(`Removing ${tag}`);
  await removeContainer(r.docker, nextId);
  if (!previous) {
    r.log.line('No previous release to roll back to');
    return { outcome: 'failed', detail: reason };
  }
  r.log.line(`Rolling back to ${previous.label}`);
  await r.docker.getContainer(previous.id).rename({ name: r.name });
  await r.docker.getContainer(previous.id).start().catch(unlessStatus(304));
  const back = await waitHealthy(r, previous.id);
  r.log.line(back.healthy ? `${previous.label} is healthy again` : `${previous.label} is running again but not healthy: ${back.reason}`);
  const detail = back.healthy ? reason : `${reason}; ${previous.label} was started again but ${back.reason}`;
  return { outcome: 'rolled_back', detail, previous: previous.image };
}

/** After an unexpected error mid-rollout: new container out, previous one back under its name. */
async function restore(r: Rollout, nextId: string, previous: NamedContainer | undefined): Promise<void> {
  await removeContainer(r.docker, nextId);
  if (!previous) return;
  r.log.line(`Restarting ${previous.label} after the failed rollout`);
  const container = r.docker.getContainer(previous.id);
  await container.rename({ name: r.name }).catch(() => undefined); // it may still have that name
  await container.start().catch(unlessStatus(304));
}

/** A catch handler that swallows one expected engine status (e.g. 304 "already stopped"). */
function unlessStatus(status: number): (err: unknown) => void {
  return (err) => {
    if (engineFailure(err).status !== status) throw err;
  };
}
