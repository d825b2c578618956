import type { Build, DeployRecord } from '../core/build.ts';
import { describeError, isSlipwayError, SlipwayError } from '../core/errors.ts';
import { pinnedName, taggedName } from '../core/image.ts';
import { targetFor, type Pipeline } from '../core/pipeline.ts';
import type { BuildLog } from '../core/ports/build-log.ts';
import type { DeployNotice } from '../core/ports/notifier.ts';
import type { Deployment } from '../core/ports/scheduler.ts';
import type { Attempt, DeployDeps } from './deps.ts';
import { buildUrl, pipelineFor, publishDeploy } from './publish.ts';

/** How a deploy job was asked for. */
export interface DeployOptions {
  /** `slipway rollback`: put this earlier build back on purpose, past the ancestry fence */
  readonly rollback?: boolean;
}

/**
 * Rolls one build out to one environment. The caller guarantees one deploy at a time per
 * (service, environment). The fence skips a release older than the one running (by git ancestry),
 * so a late or re-run job never puts older code over newer; a rollback bypasses it on purpose.
 * Outcomes are recorded on the build, posted as the environment's commit status, and sent to the notifier.
 */
export async function runDeploy(deps: DeployDeps, buildId: string, environment: string, attempt: Attempt, options: DeployOptions = {}): Promise<DeployRecord> {
  const build = await deps.store.get(buildId);
  const image = build?.image;
  if (!build || !image?.digest) throw new SlipwayError('CONFIG_INVALID', `build ${buildId} has no pushed image to deploy`);
  const log = deps.store.log(buildId);
  const prefix = (text: string) => log.line(`[${environment}] ${text}`);
  const scheduler = build.deploys.find((d) => d.environment === environment)?.scheduler ?? 'unknown';
  const base = { environment, scheduler, ...(options.rollback ? { rollback: true } : {}), startedAt: Date.now() };
  try {
    const pipeline = pipelineFor(deps, build.service);
    const target = pipeline && targetFor(pipeline, environment, build.event.branch, options.rollback);
    const adapter = target && deps.schedulers[target.scheduler];
    if (!pipeline || !target || !adapter) throw new SlipwayError('PIPELINE_INVALID', `${build.service} no longer deploys ${build.event.branch} to ${environment}`);
    const stale = options.rollback ? undefined : await fence(deps, build, pipeline, environment);
    if (stale) return await record(deps, build, log, { ...base, state: 'skipped', detail: stale, finishedAt: Date.now() });

    await record(deps, build, log, { ...base, state: 'running' });
    prefix(`${options.rollback ? 'Rolling back to' : 'Deploying'} ${taggedName(image)} (${image.digest}) with ${target.scheduler}`);
    const release = { service: build.service, environment, image: { ...image, digest: image.digest }, sha: build.event.sha, buildId, settings: target.settings };
    const deployment = await adapter.deploy(release, { line: prefix }, { deadlineMs: deps.deadlineMs });
    if (deployment.outcome === 'succeeded') {
      await deps.store.recordRelease({ service: build.service, environment, sha: build.event.sha, image: pinnedName(release.image), buildId, deployedAt: Date.now(), ...(options.rollback ? { rollback: true } : {}) });
    }
    const done = await record(deps, build, log, { ...base, state: deployment.outcome, detail: deployment.detail, finishedAt: Date.now() });
    await notify(deps, build, done, deployment.outcome);
    return done;
  } catch (err) {
    if (isSlipwayError(err) && err.retryable && !attempt.final) {
      prefix(`${describeError(err)} — will retry`);
      await log.flush();
      throw err;
    }
    const failed = await record(deps, build, log, { ...base, state: 'error', detail: describeError(err), finishedAt: Date.now() });
    await notify(deps, build, failed, 'error');
    return failed;
  }
}

/** Returns why this build must not be deployed over the running release, or undefined to go ahead. */
async function fence(deps: DeployDeps, build: Build, pipeline: Pipeline, environment: string): Promise<string | undefined> {
  const current = await deps.store.release(build.service, environment);
  if (!current || current.sha === build.event.sha) return undefined;
  const cloneUrl = pipeline.cloneUrl ?? build.event.cloneUrl;
  const older = await deps.ancestry.isAncestor(cloneUrl, build.event.sha, current.sha);
  const isOlder = older ?? Number(build.id) < Number(current.buildId);
  return isOlder ? `newer ${current.sha.slice(0, 7)} (build ${current.buildId}) is already deployed` : undefined;
}

async function record(deps: DeployDeps, build: Build, log: BuildLog, deploy: DeployRecord): Promise<DeployRecord> {
  if (deploy.finishedAt) log.line(`[${deploy.environment}] Deploy ${deploy.state}${deploy.detail ? `: ${deploy.detail}` : ''}`);
  await log.flush();
  const updated = await deps.store.setDeploy(build.id, deploy);
  await publishDeploy(deps, updated, deploy);
  return deploy;
}

async function notify(deps: DeployDeps, build: Build, deploy: DeployRecord, outcome: Deployment['outcome'] | 'error'): Promise<void> {
  const notice: DeployNotice = {
    service: build.service,
    repository: build.event.repository,
    environment: deploy.environment,
    sha: build.event.sha,
    message: build.event.message,
    author: build.event.author,
    // A rollback's duration is its own: the push it came from may be weeks old.
    durationMs: Date.now() - (deploy.rollback ? (deploy.startedAt ?? Date.now()) : build.createdAt),
    buildUrl: buildUrl(deps.publicUrl, build.id),
    outcome,
    detail: deploy.detail ?? '',
    ...(deploy.rollback ? { rollback: true } : {}),
  };
  await deps.notifier.notify(notice);
}
