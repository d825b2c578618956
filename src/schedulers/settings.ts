import type { z } from 'zod';
import { DockerSettingsSchema } from './docker/settings.ts';

/** The scheduler names a pipeline may use, each with the schema of its own block. */
export const schedulerSettings = {
  docker: DockerSettingsSchema,
} as const satisfies Record<string, z.ZodType<Record<string, unknown>>>;

export type SchedulerName = keyof typeof schedulerSettings;
