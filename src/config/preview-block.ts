import type { z } from 'zod';
import type { DeployTarget, PreviewTarget } from '../core/pipeline.ts';
import { previewNumber } from '../core/preview.ts';
import type { PreviewSchema } from './pipeline-schema.ts';
import { schedulerBlock } from './scheduler-block.ts';

/** Keys a deploy entry has that a preview must not: what each would mean there. */
const NOT_IN_PREVIEW: Readonly<Record<string, string>> = {
  branch: 'a preview deploys every pull request from the repository itself; leave branch out',
  environment: 'a preview runs in pr-<number> of its pull request; leave environment out',
  approval: 'previews are not held for approval; leave approval out',
};

/**
 * The `preview:` block of `file`, checked against the schemas of the schedulers that can remove
 * what they ran (`previewSchemas`): a preview is removed when its pull request closes, so a
 * scheduler without that is refused here, at start, rather than at the first close.
 */
export function parsePreview(
  file: string,
  raw: z.output<typeof PreviewSchema>,
  previewSchemas: Readonly<Record<string, z.ZodType<Record<string, unknown>>>>,
  deploy: readonly DeployTarget[],
): { preview: PreviewTarget } | { problems: string[] } {
  const { scheduler, url, ...rest } = raw;
  const problems: string[] = [];
  const blocks: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    const why = NOT_IN_PREVIEW[key];
    if (why) problems.push(`${file}: preview.${key}: ${why}`);
    else blocks[key] = value;
  }
  for (const t of deploy.filter((d) => previewNumber(d.environment) !== undefined)) {
    problems.push(`${file}: deploy: environment "${t.environment}" is a preview's name (pr-<number>); with a preview block, name it otherwise`);
  }
  const schema = previewSchemas[scheduler];
  if (!schema) {
    const able = Object.keys(previewSchemas);
    problems.push(`${file}: preview.scheduler: the "${scheduler}" scheduler cannot remove a preview when its pull request closes, so it cannot run previews; ${able.length > 0 ? `one of: ${able.join(', ')}` : 'none here can'}`);
    return { problems };
  }
  const block = schedulerBlock(file, 'preview', scheduler, schema, blocks);
  if ('problems' in block) return { problems: [...problems, ...block.problems] };
  if (problems.length > 0) return { problems };
  return { preview: { scheduler, ...(url ? { url } : {}), settings: block.settings } };
}
