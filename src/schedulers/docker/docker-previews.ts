import type { PreviewPorts } from '../../core/ports/preview-ports.ts';
import type { PreviewScheduler } from '../../core/ports/preview-scheduler.ts';
import { SlipwayError } from '../../core/errors.ts';
import { portRange } from '../../core/preview.ts';
import { parseSettings } from '../parse-settings.ts';
import { engineImages } from './engine-images.ts';
import type { EngineFor } from './engines.ts';
import { removeContainer } from './named-containers.ts';
import { containerName } from './release-container.ts';
import { schedulerError } from './scheduler-error.ts';
import { DockerPreviewSettingsSchema } from './settings.ts';

/**
 * Previews on the `docker` scheduler: each one is a release like any other (container
 * `slipway-<service>-pr-<n>`, host network) on a port of its own from the block's `ports` range,
 * held in `ports` from its first deploy until it is removed. Removing takes away the container,
 * the `-previous` one kept for a rollback and a `-next` one an interrupted rollout left (on a
 * `docker.host` engine, their images too: engine-images.ts), then gives the port back.
 */
export function createDockerPreviews(engineFor: EngineFor, ports: PreviewPorts | undefined): PreviewScheduler {
  return {
    async prepare(place) {
      const { ports: text, ...deploy } = parseSettings('docker', DockerPreviewSettingsSchema, place.settings);
      const range = portRange(text)!; // the schema checked it
      if (!ports) throw new SlipwayError('SCHEDULER_REJECTED', 'this worker keeps no preview ports; previews cannot be placed');
      const port = await ports.take(holder(place), range);
      if (port === undefined) {
        throw new SlipwayError('SCHEDULER_REJECTED', `no free port for ${place.environment} of ${place.service}: other previews hold every port of docker.ports ${range.first}-${range.last}; close a pull request or widen the range`);
      }
      return { settings: { ...deploy, port }, port };
    },
    async remove(place, log) {
      const settings = parseSettings('docker', DockerPreviewSettingsSchema, place.settings);
      const name = containerName(place.service, place.environment);
      try {
        const engine = engineFor(settings.host);
        for (const container of [name, `${name}-previous`, `${name}-next`]) await removeContainer(engine.docker, container);
        log.line(`Removed ${name} (and its -previous and -next, where there were any) on ${engine.label}`);
        if (settings.host !== undefined) await engineImages.forget(engine.docker, place.service, place.environment, log);
      } catch (err) {
        throw schedulerError(err);
      }
      await ports?.free(holder(place));
    },
  };
}

function holder(place: { service: string; environment: string }): string {
  return `${place.service}:${place.environment}`;
}
