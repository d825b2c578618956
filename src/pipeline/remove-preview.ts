import { SlipwayError } from '../core/errors.ts';
import { canPreview } from '../core/ports/preview-scheduler.ts';
import type { DeployDeps } from './deps.ts';
import { closedSince } from './preview-closed.ts';
import { pipelineFor } from './publish.ts';

/** A closed pull request's preview of one service. */
export interface PreviewRemoval {
  readonly service: string;
  /** `pr-<number>` */
  readonly environment: string;
  readonly repository: string;
  readonly number: number;
  /** when the pull request closed (epoch ms): the earlier of the payload's `closed_at` and the arrival */
  readonly closedAt: number;
}

/**
 * Removes a closed pull request's preview. The caller holds the (service, environment) deploy
 * lease, so no deploy of it runs meanwhile. First the close is recorded, so a build of the pull
 * request still on its way never deploys it again. A removal that comes after the pull request was
 * reopened and deployed again (a close redelivered late, a removal delayed behind a busy lease)
 * keeps the preview: its latest release is newer than this close. Then the scheduler removes what runs it (and
 * gives back its port); then its GitHub deployment goes `inactive`. Every step may run again
 * (a retried or re-delivered removal): removing what is gone succeeds. `logger` is the
 * operator's, a child naming the preview (there is no build log to write to).
 */
export async function removePreview(deps: Pick<DeployDeps, 'pipelines' | 'schedulers' | 'closings' | 'deployments' | 'logger' | 'store'>, removal: PreviewRemoval): Promise<'removed' | 'no preview' | 'reopened'> {
  const { service, environment, number } = removal;
  const preview = pipelineFor(deps, service)?.preview;
  await deps.closings?.close(service, environment, removal.closedAt);
  const latest = await deps.store.release(service, environment);
  if (latest && !closedSince(removal.closedAt, latest.deployedAt)) {
    deps.logger.info({ closedAt: new Date(removal.closedAt).toISOString(), deployedAt: new Date(latest.deployedAt).toISOString(), build: latest.buildId },
      `pull request #${number} was reopened and deployed again after this close: preview kept`);
    return 'reopened';
  }
  if (!preview) {
    deps.logger.warn('pull request closed, but the pipeline has no preview block any more: nothing to remove');
    return 'no preview';
  }
  const scheduler = deps.schedulers[preview.scheduler];
  if (!canPreview(scheduler)) throw new SlipwayError('SCHEDULER_REJECTED', `the ${preview.scheduler} scheduler cannot remove previews`);
  await scheduler.remove({ service, environment, settings: preview.settings }, { line: (text) => deps.logger.info(text) });
  await deps.deployments?.retire?.({ repository: removal.repository, environment, description: `Pull request #${number} closed; preview of ${service} removed` });
  return 'removed';
}
