import type { z } from 'zod';
import { formatIssues } from './format-issues.ts';

/**
 * The scheduler's own block of a deploy entry or preview (`path`): the only other key it may have
 * is the one named after its scheduler, and that block must pass the scheduler's `schema`.
 * Problems are whole lines naming file, key and reason.
 */
export function schedulerBlock(
  file: string,
  path: string,
  scheduler: string,
  schema: z.ZodType<Record<string, unknown>>,
  blocks: Readonly<Record<string, unknown>>,
): { settings: Record<string, unknown> } | { problems: string[] } {
  const problems = Object.keys(blocks)
    .filter((k) => k !== scheduler)
    .map((key) => `${file}: ${path}.${key}: unexpected key; the "${scheduler}" scheduler reads only a "${scheduler}" block`);
  const settings = schema.safeParse(blocks[scheduler] ?? {});
  if (!settings.success) problems.push(...formatIssues(settings.error.issues, `${path}.${scheduler}`, schema).split('\n').map((l) => `${file}: ${l.trim()}`));
  return problems.length > 0 || !settings.success ? { problems } : { settings: settings.data };
}
