import type { Build, DeployRecord, StageName } from './build.ts';
import type { CommitState, CommitStatus } from './ports/status-reporter.ts';

/** GitHub rejects descriptions longer than this (422). */
export const MAX_DESCRIPTION = 140;

const RUNNING_STAGE: Record<StageName, string> = {
  clone: 'Fetching the commit',
  build: 'Building the image',
  test: 'Running the tests',
  push: 'Pushing the image',
};

const BUILD_STATE: Record<Build['state'], CommitState> = {
  queued: 'pending',
  running: 'pending',
  passed: 'success',
  failed: 'failure',
  error: 'error',
  cancelled: 'error',
  // nothing to build is not a failure: a required check stays mergeable
  skipped: 'success',
};

const DEPLOY_STATE: Record<DeployRecord['state'], CommitState> = {
  queued: 'pending',
  held: 'pending',
  running: 'pending',
  succeeded: 'success',
  skipped: 'success',
  rolled_back: 'failure',
  failed: 'failure',
  error: 'error',
};

export function buildContext(service: string): string {
  return `slipway/${service}`;
}

export function deployContext(service: string, environment: string): string {
  return `slipway/${service}/${environment}`;
}

/** The commit status that shows a build's state. Pure. */
export function buildStatus(build: Build, targetUrl: string): CommitStatus {
  return {
    state: BUILD_STATE[build.state],
    context: buildContext(build.service),
    description: truncate(buildDescription(build)),
    targetUrl,
  };
}

/** The commit status that shows one environment's deploy. Pure. */
export function deployStatus(service: string, deploy: DeployRecord, targetUrl: string): CommitStatus {
  return {
    state: DEPLOY_STATE[deploy.state],
    context: deployContext(service, deploy.environment),
    description: truncate(deployDescription(deploy)),
    targetUrl,
  };
}

function buildDescription(build: Build): string {
  switch (build.state) {
    case 'queued':
      return 'Queued';
    case 'running': {
      const stage = build.stages.find((s) => s.state === 'running');
      return stage ? RUNNING_STAGE[stage.name] : 'Running';
    }
    default:
      return build.detail ?? build.state;
  }
}

function deployDescription(deploy: DeployRecord): string {
  const env = deploy.environment;
  if (deploy.rollback) return rollbackDescription(deploy);
  if (deploy.requested) return requestedDescription(deploy);
  switch (deploy.state) {
    case 'queued':
      return `Waiting to deploy to ${env}`;
    case 'held':
      return `Waiting for approval to deploy to ${env}`;
    case 'running':
      return `Deploying to ${env}`;
    case 'succeeded':
      return `Deployed to ${env}`;
    case 'rolled_back':
      return `Rolled back in ${env}: ${deploy.detail ?? 'unhealthy'}`;
    case 'skipped':
      return `Not deployed to ${env}: ${deploy.detail ?? 'skipped'}`;
    default:
      return `Deploy to ${env} failed: ${deploy.detail ?? deploy.state}`;
  }
}

const REQUESTED: Record<NonNullable<DeployRecord['requested']>, (deploy: DeployRecord) => string> = {
  deploy: () => 'deployed by hand',
  promote: (d) => `promoted from ${d.from ?? 'another environment'}`,
  approval: () => 'approved',
};

/** A deploy a person asked for (deploy, promote, approve): says so, and says when it goes back to an older commit. */
function requestedDescription(deploy: DeployRecord): string {
  const env = deploy.environment;
  const how = REQUESTED[deploy.requested!](deploy);
  const back = deploy.backFrom ? `, back from newer ${deploy.backFrom.slice(0, 7)}` : '';
  switch (deploy.state) {
    case 'queued':
    case 'held':
      return `Waiting to deploy to ${env} (${how})`;
    case 'running':
      return `Deploying to ${env} (${how}${back})`;
    case 'succeeded':
      return `Deployed to ${env} (${how}${back})`;
    case 'rolled_back':
      return `Rolled back in ${env} (${how}${back}): ${deploy.detail ?? 'unhealthy'}`;
    case 'skipped':
      return `Not deployed to ${env}: ${deploy.detail ?? 'skipped'}`;
    default:
      return `Deploy to ${env} (${how}) failed: ${deploy.detail ?? deploy.state}`;
  }
}

/** A rollback (`slipway rollback`) as seen on the commit it puts back. */
function rollbackDescription(deploy: DeployRecord): string {
  const env = deploy.environment;
  switch (deploy.state) {
    case 'queued':
      return `Waiting to roll ${env} back to this commit`;
    case 'running':
      return `Rolling ${env} back to this commit`;
    case 'succeeded':
      return `Rolled ${env} back to this commit`;
    case 'rolled_back':
      return `Rollback of ${env} to this commit failed, the release before runs again: ${deploy.detail ?? 'unhealthy'}`;
    default:
      return `Rollback of ${env} to this commit failed: ${deploy.detail ?? deploy.state}`;
  }
}

/** Cuts text to GitHub's limit, ending with an ellipsis when cut. Counts UTF-16 units, like GitHub. */
export function truncate(text: string, max = MAX_DESCRIPTION): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
