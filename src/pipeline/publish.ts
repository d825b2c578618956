import type { Build, DeployRecord } from '../core/build.ts';
import { targetFor } from '../core/pipeline.ts';
import { previewNumber, previewUrl } from '../core/preview.ts';
import type { DeployNotice, Notifier } from '../core/ports/notifier.ts';
import { FINAL_STEP, type StatusStep } from '../core/ports/status-reporter.ts';
import { buildStatus, deployStatus } from '../core/status-map.ts';
import type { PipelineDeps } from './deps.ts';

export function buildUrl(publicUrl: string, buildId: string): string {
  return `${publicUrl}/builds/${buildId}`;
}

/** Posts the commit status that matches the build's current state; never one older than already posted. */
export function publishBuild(deps: Pick<PipelineDeps, 'statuses' | 'publicUrl'>, build: Build): Promise<void> {
  const about = { subject: `build:${build.id}`, step: stepOf(build.state), build: build.id };
  return deps.statuses.report(build.event.repository, build.event.sha, buildStatus(build, buildUrl(deps.publicUrl, build.id)), about);
}

/** Posts the commit status of one deploy, and its GitHub deployment's; never one older than already posted. */
export async function publishDeploy(deps: Pick<PipelineDeps, 'statuses' | 'publicUrl'> & Partial<Pick<PipelineDeps, 'deployments' | 'pipelines'>>, build: Build, deploy: DeployRecord): Promise<void> {
  const about = { subject: `deploy:${deploy.id}`, step: stepOf(deploy.state), build: build.id, deploy: deploy.id };
  const logUrl = buildUrl(deps.publicUrl, build.id);
  // The entry's `url` (any entry of the environment: a rollback or promotion may come from another branch).
  const pipeline = deps.pipelines && pipelineFor({ pipelines: deps.pipelines }, build.service);
  const template = pipeline && targetFor(pipeline, deploy.environment, build.event.branch, true)?.url;
  // A preview's URL may name its port, known once the deploy starts (the record's `url`); until then none.
  const number = pipeline?.preview ? previewNumber(deploy.environment) : undefined;
  const environmentUrl = deploy.url ?? (template && number !== undefined ? previewUrl(template, { number }) : template);
  await Promise.all([
    deps.statuses.report(build.event.repository, build.event.sha, deployStatus(build.service, deploy, logUrl), about),
    deps.deployments?.report({ repository: build.event.repository, sha: build.event.sha, service: build.service, build: build.id, deploy, logUrl, ...(environmentUrl ? { environmentUrl } : {}) }),
  ]);
}

function stepOf(state: Build['state'] | DeployRecord['state']): StatusStep {
  return state === 'queued' || state === 'held' ? 0 : state === 'running' ? 1 : FINAL_STEP;
}

/** Tells the notifier (Slack) how one deploy ended. */
export function notifyDeploy(deps: { readonly notifier: Notifier; readonly publicUrl: string }, build: Build, deploy: DeployRecord, outcome: DeployNotice['outcome']): Promise<void> {
  return deps.notifier.notify({
    service: build.service,
    repository: build.event.repository,
    environment: deploy.environment,
    sha: build.event.sha,
    message: build.event.message,
    author: build.event.author,
    // A rollback's duration is its own: the push it came from may be weeks old.
    durationMs: Date.now() - (deploy.rollback || deploy.requested ? (deploy.startedAt ?? Date.now()) : build.createdAt),
    buildUrl: buildUrl(deps.publicUrl, build.id),
    build: build.id,
    deploy: deploy.id,
    outcome,
    detail: deploy.detail ?? '',
    ...(deploy.rollback ? { rollback: true } : {}),
    ...(deploy.requested ? { requested: deploy.requested, from: deploy.from, backFrom: deploy.backFrom } : {}),
  });
}

export function pipelineFor(deps: Pick<PipelineDeps, 'pipelines'>, service: string) {
  return deps.pipelines.find((p) => p.service === service);
}
