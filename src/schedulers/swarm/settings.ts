import { z } from 'zod';
import { DockerHostUrl } from '../../docker/docker-host-url.ts';

/** The `swarm:` block of a deploy target: a Swarm service `<service>-<environment>`, host network. */
export const SwarmSettingsSchema = z.strictObject({
  /** a manager of the swarm to deploy on (Docker's URL forms); unset: the worker's DOCKER_HOST */
  host: DockerHostUrl.optional(),
  /** tasks to run, at most one per node (they all bind `port` on the host network) */
  replicas: z.number().int().min(1).default(1),
  /** the port the service listens on (host network); PORT is set */
  port: z.number().int().min(1).max(65535),
  health_path: z.string().startsWith('/', 'must start with /').default('/'),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'), z.string()).default({}),
  /** seconds a new task may take to start before failed health checks count (engine health check) */
  start_period: z.number().min(0).max(3600).default(10),
  /** seconds the engine watches each updated task for a crash before it calls the update done */
  monitor: z.number().min(0).max(3600).default(5),
});

export type SwarmSettings = z.infer<typeof SwarmSettingsSchema>;
