/** Queue names and job payloads shared by the server (producer) and the workers (consumers). */
export const BUILD_QUEUE = 'build';
export const DEPLOY_QUEUE = 'deploy';

export interface BuildJobData {
  readonly buildId: string;
}

export interface DeployJobData {
  readonly buildId: string;
  readonly environment: string;
  /** `slipway rollback`: put this earlier build back; the ancestry fence does not apply */
  readonly rollback?: boolean;
}

/** Deterministic ids: enqueuing the same work twice while it is known to BullMQ adds nothing. */
export const buildJobId = (buildId: string) => `build-${buildId}`;
export const deployJobId = (buildId: string, environment: string) => `deploy-${buildId}-${environment}`;
/** Each rollback is a request of its own: the build's earlier deploy job, still known to BullMQ, must not swallow it. */
export const rollbackJobId = (buildId: string, environment: string, requestedAt: number) => `rollback-${buildId}-${environment}-${requestedAt}`;
