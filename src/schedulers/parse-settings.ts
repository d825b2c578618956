import type { z } from 'zod';
import { SlipwayError } from '../core/errors.ts';

/**
 * An adapter's pipeline block, validated again at deploy time (a release may come from an older
 * pipeline file). Invalid settings are a job the scheduler must refuse: SCHEDULER_REJECTED.
 */
export function parseSettings<T>(scheduler: string, schema: z.ZodType<T>, settings: unknown): T {
  const parsed = schema.safeParse(settings);
  if (parsed.success) return parsed.data;
  throw settingsRejected(scheduler, parsed.error);
}

/** The SCHEDULER_REJECTED error for settings a schema refused, naming each key and reason. */
export function settingsRejected(scheduler: string, error: z.ZodError): SlipwayError {
  const issues = error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return new SlipwayError('SCHEDULER_REJECTED', `invalid ${scheduler} settings: ${issues}`, { cause: error });
}
