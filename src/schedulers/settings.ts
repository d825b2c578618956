import type { z } from 'zod';
import { DockerPreviewSettingsSchema, DockerSettingsSchema } from './docker/settings.ts';
import { FleetSettingsSchema } from './fleet/settings.ts';
import { EcsSettingsSchema } from './ecs/settings.ts';
import { NomadSettingsSchema } from './nomad/settings.ts';
import { KubernetesSettingsSchema } from './kubernetes/settings.ts';
import { SwarmSettingsSchema } from './swarm/settings.ts';

/** The scheduler names a pipeline may use, each with the schema of its own block. */
export const schedulerSettings = {
  docker: DockerSettingsSchema,
  fleet: FleetSettingsSchema,
  ecs: EcsSettingsSchema,
  nomad: NomadSettingsSchema,
  kubernetes: KubernetesSettingsSchema,
  swarm: SwarmSettingsSchema,
} as const satisfies Record<string, z.ZodType<Record<string, unknown>>>;

export type SchedulerName = keyof typeof schedulerSettings;

/**
 * The schedulers that can run previews (they remove what they ran when a pull request closes: the
 * PreviewScheduler capability), each with the schema of its block in a `preview:`.
 */
export const previewSettings = {
  docker: DockerPreviewSettingsSchema,
} as const satisfies Partial<Record<SchedulerName, z.ZodType<Record<string, unknown>>>>;
