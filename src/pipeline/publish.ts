import type { Build, DeployRecord } from '../core/build.ts';
import { buildStatus, deployStatus } from '../github/status-map.ts';
import type { PipelineDeps } from './deps.ts';

export function buildUrl(publicUrl: string, buildId: string): string {
  return `${publicUrl}/builds/${buildId}`;
}

/** Posts the commit status that matches the build's current state. */
export function publishBuild(deps: Pick<PipelineDeps, 'statuses' | 'publicUrl'>, build: Build): Promise<void> {
  return deps.statuses.report(build.event.repository, build.event.sha, buildStatus(build, buildUrl(deps.publicUrl, build.id)));
}

/** Posts the commit status of one environment's deploy. */
export function publishDeploy(deps: Pick<PipelineDeps, 'statuses' | 'publicUrl'>, build: Build, deploy: DeployRecord): Promise<void> {
  return deps.statuses.report(build.event.repository, build.event.sha, deployStatus(build.service, deploy, buildUrl(deps.publicUrl, build.id)));
}

export function pipelineFor(deps: Pick<PipelineDeps, 'pipelines'>, service: string) {
  return deps.pipelines.find((p) => p.service === service);
}
