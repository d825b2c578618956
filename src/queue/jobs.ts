/** Queue names and job payloads shared by the server (producer) and the workers (consumers). */
export const BUILD_QUEUE = 'build';
export const DEPLOY_QUEUE = 'deploy';

export interface BuildJobData {
  readonly buildId: string;
}

export interface DeployJobData {
  readonly buildId: string;
  readonly environment: string;
}

/** Deterministic ids: enqueuing the same work twice while it is known to BullMQ adds nothing. */
export const buildJobId = (buildId: string) => `build-${buildId}`;
export const deployJobId = (buildId: string, environment: string) => `deploy-${buildId}-${environment}`;
