import { z } from 'zod';

/**
 * The `ecs:` block of a deploy target. The service must already exist in the cluster: Slipway
 * registers a new revision of its current task definition with only the image (and the
 * declared `env`/`cpu`/`memory` of that one container) changed, then updates the service.
 */
export const EcsSettingsSchema = z.strictObject({
  /** cluster name or ARN */
  cluster: z.string().min(1),
  /** service name or ARN in that cluster */
  service: z.string().min(1),
  /** the container whose image is replaced; required when the task definition has several */
  container: z.string().min(1).optional(),
  /** variables set (replaced or added) in that container's `environment` */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'), z.string()).default({}),
  /** container-level CPU units (1024 = one vCPU) */
  cpu: z.number().int().min(0).max(10_240).optional(),
  /** container-level hard memory limit in MiB */
  memory: z.number().int().min(6).optional(),
});

export type EcsSettings = z.infer<typeof EcsSettingsSchema>;
