import type { DeployRecord } from '../core/build.ts';
import type { DeployDeps, PipelineDeps } from './deps.ts';
import { notifyDeploy, publishBuild, publishDeploy } from './publish.ts';
import type { DeployRequest } from './run-deploy.ts';

/**
 * Ends a build its job could not finish (failed for good outside the processor: stalled out after
 * worker crashes, or lost) as `error`, with its status, unless it already ended. Safe to call twice.
 */
export async function settleBuild(deps: PipelineDeps, buildId: string, reason: string): Promise<void> {
  const build = await deps.store.get(buildId);
  if (!build || (build.state !== 'running' && build.state !== 'queued')) return;
  const done = await deps.store.update(buildId, (b) => Object.assign(b, { state: 'error', detail: `Slipway could not finish the build: ${reason}`, finishedAt: Date.now() }));
  await publishBuild(deps, done);
}

/**
 * Ends a deploy its job could not finish as `error`, with its status and a notice, unless it
 * already ended. Safe to call twice.
 */
export async function settleDeploy(deps: PipelineDeps & Pick<DeployDeps, 'notifier'>, request: DeployRequest, reason: string): Promise<void> {
  const build = await deps.store.get(request.buildId);
  const deploy = build?.deploys.find((d) => (request.deployId ? d.id === request.deployId : d.environment === request.environment));
  if (!build || !deploy || (deploy.state !== 'queued' && deploy.state !== 'running')) return;
  const failed: DeployRecord = { ...deploy, state: 'error', detail: `Slipway could not finish the deploy: ${reason}`, finishedAt: Date.now() };
  const updated = await deps.store.setDeploy(build.id, failed);
  await publishDeploy(deps, updated, failed);
  await notifyDeploy(deps, build, failed, 'error');
}
