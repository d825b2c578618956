import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { pinnedName } from '../../core/image.ts';
import type { Release } from '../../core/ports/scheduler.ts';
import { releaseEnv, releaseLabels } from '../release-labels.ts';
import type { DockerSettings } from './settings.ts';

/** The name of the container that runs a (service, environment): `slipway-<service>-<environment>`. */
export function containerName(service: string, environment: string): string {
  return `slipway-${service}-${environment}`;
}

/**
 * A short hash of the pipeline block: a changed port, env or limit is a new release even on the
 * same image. Where it runs (`host`) is not part of the container: naming the engine it already
 * runs on is no reason to restart it.
 */
export function settingsFingerprint(settings: DockerSettings): string {
  const { host: _where, ...container } = settings;
  return createHash('sha256').update(JSON.stringify(container)).digest('hex').slice(0, 12);
}

/**
 * The create body of a release's container: the pinned image (`repo@sha256:…`), the pipeline's
 * env plus `PORT`, the host network (the service binds 127.0.0.1:$PORT itself), restarted by the
 * engine unless Slipway stops it, and labels that say what runs there.
 */
export function releaseContainer(release: Release, settings: DockerSettings, name: string): Docker.ContainerCreateOptions {
  return {
    name,
    Image: pinnedName(release.image),
    Env: releaseEnv(settings),
    Labels: releaseLabels(release, settingsFingerprint(settings)),
    HostConfig: {
      NetworkMode: 'host',
      RestartPolicy: { Name: 'unless-stopped' },
      // docker-init as PID 1 forwards SIGTERM: a server that is PID 1 itself would ignore it and
      // make every stop wait for the kill timeout.
      Init: true,
      ...(settings.memory ? { Memory: settings.memory } : {}),
    },
  };
}
