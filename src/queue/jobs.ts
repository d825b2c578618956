/** Queue names and job payloads shared by the server (producer) and the workers (consumers). */
export const BUILD_QUEUE = 'build';
export const DEPLOY_QUEUE = 'deploy';
/** removals of previews whose pull request closed */
export const PREVIEW_QUEUE = 'preview';

export interface BuildJobData {
  readonly buildId: string;
}

export interface DeployJobData {
  readonly buildId: string;
  readonly environment: string;
  /** the deploy record this job settles (absent in jobs queued before deploys had ids) */
  readonly deployId?: string;
  /** `slipway rollback`: put this earlier build back; the ancestry fence does not apply */
  readonly rollback?: boolean;
  /** `slipway approve`: the held deploy, let go; a job of its own (the one that held it has ended) */
  readonly approved?: boolean;
}

/** A closed pull request's preview of one service, to be removed (by the worker, never the server). */
export interface PreviewRemovalJobData {
  readonly service: string;
  /** `pr-<number>` */
  readonly environment: string;
  /** GitHub `owner/name`, whose deployment of the preview goes `inactive` */
  readonly repository: string;
  readonly number: number;
  /** when the pull request closed (epoch ms; the earlier of the payload's `closed_at` and the arrival): a build queued before it never deploys the preview */
  readonly closedAt: number;
  readonly deliveryId: string;
}

/** The job that runs a deploy record: a rollback's flag and an approval's own job id come from the record. */
export function deployJobData(buildId: string, deploy: { readonly id: string; readonly environment: string; readonly rollback?: boolean; readonly requested?: string }): DeployJobData {
  return { buildId, environment: deploy.environment, deployId: deploy.id, ...(deploy.rollback ? { rollback: true } : {}), ...(deploy.requested === 'approval' ? { approved: true } : {}) };
}

/**
 * Deterministic ids: enqueuing the same work twice while it is known to BullMQ adds nothing. A
 * deploy job is named after its deploy record, so each deploy asked for (a push's, a rollback, a
 * redeploy of the same build) is a job of its own, and queueing one record twice is still one job.
 */
export const buildJobId = (buildId: string) => `build-${buildId}`;
export const deployJobId = (data: DeployJobData) =>
  data.deployId ? `deploy-${data.deployId}${data.approved ? '-approved' : ''}` : `deploy-${data.buildId}-${data.environment}`;

/** One removal per close delivery and service: a redelivered close is one job while BullMQ knows it (and removing twice is harmless). */
export const previewRemovalJobId = (data: PreviewRemovalJobData) => `remove-${data.service}-${data.environment}-${data.deliveryId}`;
