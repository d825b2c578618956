import type { Build } from '../core/build.ts';
import { SlipwayError } from '../core/errors.ts';
import type { DeployTarget, Pipeline } from '../core/pipeline.ts';
import { canPreview } from '../core/ports/preview-scheduler.ts';
import type { Scheduler } from '../core/ports/scheduler.ts';
import { previewNumber, previewUrl } from '../core/preview.ts';
import type { DeployDeps } from './deps.ts';

/** A preview's deploy, placed: the settings its rollout runs with and its URL; or why it does not deploy. */
export type PlacedPreview = { readonly closed: string } | { readonly settings: Readonly<Record<string, unknown>>; readonly url?: string };

/**
 * Places a deploy to a preview (`pr-<number>` of a pipeline with a `preview:` block) before its
 * rollout: a build made before its pull request closed does not deploy (the preview is, or is
 * about to be, removed); otherwise the scheduler gives the preview its settings (the docker
 * adapter: its own port) and the block's `url` is filled in. Undefined for any other deploy.
 */
export async function placePreview(deps: Pick<DeployDeps, 'closings' | 'store'>, build: Build, pipeline: Pipeline, target: DeployTarget, adapter: Scheduler): Promise<PlacedPreview | undefined> {
  const number = pipeline.preview ? previewNumber(target.environment) : undefined;
  if (number === undefined) return undefined;
  const closedAt = await deps.closings?.closedAt(build.service, target.environment);
  // `slipway rerun` of a build from before the close is from before it too (its pull request did not reopen).
  const queuedAt = build.rerunOf ? ((await deps.store.get(build.rerunOf))?.createdAt ?? build.createdAt) : build.createdAt;
  if (closedAt !== undefined && queuedAt <= closedAt) return { closed: `pull request #${number} closed after this build was queued; its preview is removed` };
  if (!canPreview(adapter)) throw new SlipwayError('SCHEDULER_REJECTED', `the ${target.scheduler} scheduler cannot run previews`);
  const placed = await adapter.prepare({ service: build.service, environment: target.environment, settings: target.settings });
  const url = target.url && previewUrl(target.url, { number, port: placed.port });
  return { settings: placed.settings, ...(url ? { url } : {}) };
}
