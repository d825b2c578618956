/** Queue names and job payloads shared by the server (producer) and the workers (consumers). */
export const BUILD_QUEUE = 'build';
export const DEPLOY_QUEUE = 'deploy';

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
}

/**
 * Deterministic ids: enqueuing the same work twice while it is known to BullMQ adds nothing. A
 * deploy job is named after its deploy record, so each deploy asked for (a push's, a rollback, a
 * redeploy of the same build) is a job of its own, and queueing one record twice is still one job.
 */
export const buildJobId = (buildId: string) => `build-${buildId}`;
export const deployJobId = (data: DeployJobData) => (data.deployId ? `deploy-${data.deployId}` : `deploy-${data.buildId}-${data.environment}`);

/** Where a job stands: still to be run (or running), ended, or unknown to the queue. */
export interface JobStanding {
  readonly state: 'pending' | 'completed' | 'failed' | 'missing';
  /** why it failed, as the worker said */
  readonly reason?: string;
}
