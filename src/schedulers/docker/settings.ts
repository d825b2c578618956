import { z } from 'zod';
import { ByteSize } from '../../config/byte-size.ts';
import { DockerHostUrl } from '../../docker/docker-host-url.ts';
import { MAX_RANGE_PORTS, portRange } from '../../core/preview.ts';

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

/**
 * The `docker:` block of a `preview:`: the deploy block with `ports` (a range such as 4100-4199,
 * only previews use) instead of `port`. Each preview takes its own port from the range on its first
 * deploy and keeps it until its pull request closes.
 */
export const DockerPreviewSettingsSchema = DockerSettingsSchema.omit({ port: true }).extend({
  ports: z
    .string({ error: 'must be a range of host ports such as 4100-4199: each preview takes its own port from it (a preview has no fixed port)' })
    .refine((text) => portRange(text) !== undefined, 'must be a range of host ports such as 4100-4199 (first ≤ last, 1-65535)')
    .refine((text) => { const r = portRange(text); return !r || r.last - r.first < MAX_RANGE_PORTS; }, `must name at most ${MAX_RANGE_PORTS} ports`),
});

export type DockerPreviewSettings = z.infer<typeof DockerPreviewSettingsSchema>;
