import { z } from 'zod';
import { ByteSize } from '../../config/byte-size.ts';
import { DockerHostUrl } from '../../docker/docker-host-url.ts';

/** The `docker:` block of a deploy target: one container on one Docker host, host network. */
export const DockerSettingsSchema = z.strictObject({
  /** the engine to deploy on (Docker's URL forms); unset: the worker's DOCKER_HOST */
  host: DockerHostUrl.optional(),
  port: z.number().int().min(1).max(65535),
  health_path: z.string().startsWith('/', 'must start with /').default('/'),
  /** memory limit of the container (`512m`, `1g`); the engine refuses less than 6 MB */
  memory: ByteSize.optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'), z.string()).default({}),
});

export type DockerSettings = z.infer<typeof DockerSettingsSchema>;
