import { isFinal, type Build, type DeployRecord } from '../core/build.ts';
import { describeError, isSlipwayError, SlipwayError } from '../core/errors.ts';
import { pinnedName, taggedName } from '../core/image.ts';
import { targetFor, type Pipeline } from '../core/pipeline.ts';
import type { BuildLog } from '../core/ports/build-log.ts';
import { releaseCause } from '../core/release-cause.ts';
import type { Attempt, DeployDeps } from './deps.ts';
import { holdForApproval } from './hold-for-approval.ts';
import { placePreview } from './place-preview.ts';
import { notifyDeploy, pipelineFor, publishDeploy } from './publish.ts';

/** One deploy job: which build goes where, and which deploy record it settles. */
export interface DeployRequest {
  readonly buildId: string;
  readonly environment: string;
  /** the deploy record; absent for jobs queued before deploys had ids (the environment's latest is used) */
  readonly deployId?: string;
  /** `slipway rollback`: put this earlier build back on purpose, past the ancestry fence */
  readonly rollback?: boolean;
  /** `slipway approve`: the held deploy, let go (its own job id; the record says the rest) */
  readonly approved?: boolean;
}

/**
 * Rolls one build out to one environment and settles its deploy record. The caller guarantees
 * one deploy at a time per (service, environment) and aborts `signal` when it can no longer
 * guarantee that (its lease was lost): the rollout stops and the deploy ends `error`. The fence
 * skips a release older than the one running (by git ancestry), so a late or re-run job never puts
 * older code over newer; a rollback bypasses it on purpose. A deploy already settled (its job ran
 * again after a crash) is not deployed twice. Outcomes are recorded on the build, posted as the
 * environment's commit status, and sent to the notifier.
 */
export async function runDeploy(deps: DeployDeps, request: DeployRequest, attempt: Attempt, signal?: AbortSignal): Promise<DeployRecord> {
  const { buildId, environment } = request;
  const build = await deps.store.get(buildId);
  const image = build?.image;
  if (!build || !image?.digest) throw new SlipwayError('CONFIG_INVALID', `build ${buildId} has no pushed image to deploy`);
  const queued = deployRecord(build, request);
  if (isFinal(queued.state)) return queued;
  const log = deps.store.log(buildId);
  const prefix = (text: string) => log.line(`[${environment}] ${text}`);
  const base: DeployRecord = { ...queued, detail: undefined, startedAt: Date.now(), finishedAt: undefined };
  const rollback = base.rollback === true;
  // A rollback, deploy, promotion or approval is a person's decision: it neither waits nor meets the fence.
  const manual = rollback || base.requested !== undefined;
  try {
    const pipeline = pipelineFor(deps, build.service);
    const target = pipeline && targetFor(pipeline, environment, build.event.branch, manual);
    const adapter = target && deps.schedulers[target.scheduler];
    if (!pipeline || !target || !adapter) throw new SlipwayError('PIPELINE_INVALID', `${build.service} no longer deploys ${build.event.branch} to ${environment}`);
    const preview = await placePreview(deps, build, pipeline, target, adapter);
    if (preview && 'closed' in preview) return await record(deps, build, log, { ...base, state: 'skipped', detail: preview.closed, finishedAt: Date.now() });
    if (preview?.url) base.url = preview.url;
    const current = await deps.store.release(build.service, environment);
    const stale = rollback ? undefined : await fence(deps, build, pipeline, current).catch((err: unknown) => { if (manual) return undefined; throw err; });
    if (stale && !manual) return await record(deps, build, log, { ...base, state: 'skipped', detail: stale, finishedAt: Date.now() });
    if (!manual && target.approval === 'required' && deps.held) return await holdForApproval({ ...deps, held: deps.held }, build, { ...base, scheduler: target.scheduler }, (d) => record(deps, build, log, d));
    if (stale && current) base.backFrom = current.sha; // a person's deploy of an older commit says so

    await record(deps, build, log, { ...base, scheduler: target.scheduler, state: 'running' });
    prefix(`${rollback ? 'Rolling back to' : 'Deploying'} ${taggedName(image)} (${image.digest}) with ${target.scheduler}${base.backFrom ? `, going back from newer ${base.backFrom.slice(0, 7)} (asked for by hand)` : ''}`);
    const release = { service: build.service, environment, image: { ...image, digest: image.digest }, sha: build.event.sha, buildId, settings: preview?.settings ?? target.settings };
    const deployment = await adapter.deploy(release, { line: prefix }, { deadlineMs: deps.deadlineMs, signal });
    signal?.throwIfAborted();
    if (deployment.outcome === 'succeeded') {
      await deps.store.recordRelease({
        service: build.service, environment, sha: build.event.sha, image: pinnedName(release.image), buildId, deployedAt: Date.now(),
        ...(rollback ? { rollback: true, ...(current && current.buildId !== buildId ? { replaced: current.buildId } : {}) } : {}),
        ...(base.requested ? { requested: base.requested } : {}),
        cause: releaseCause(base), ...(base.from ? { from: base.from } : {}),
      });
    }
    const done = await record(deps, build, log, { ...base, scheduler: target.scheduler, state: deployment.outcome, detail: deployment.detail, finishedAt: Date.now() });
    await notifyDeploy(deps, build, done, deployment.outcome);
    return done;
  } catch (caught) {
    const err = signal?.aborted ? (signal.reason as unknown) : caught;
    if (isSlipwayError(err) && err.retryable && !attempt.final) {
      prefix(`${describeError(err)} — will retry`);
      await log.flush();
      throw err;
    }
    const failed = await record(deps, build, log, { ...base, state: 'error', detail: describeError(err), finishedAt: Date.now() });
    await notifyDeploy(deps, build, failed, 'error');
    return failed;
  }
}

/** The record this job settles: by id, else (an old job) the environment's latest, else a new one. */
function deployRecord(build: Build, request: DeployRequest): DeployRecord {
  const mine = request.deployId
    ? build.deploys.find((d) => d.id === request.deployId)
    : build.deploys.filter((d) => d.environment === request.environment).at(-1);
  return mine ?? { id: request.deployId ?? request.environment, environment: request.environment, scheduler: 'unknown', state: 'queued', ...(request.rollback ? { rollback: true } : {}) };
}

/** Returns why this build must not be deployed over the running release, or undefined to go ahead. */
async function fence(deps: DeployDeps, build: Build, pipeline: Pipeline, current: { sha: string; buildId: string } | undefined): Promise<string | undefined> {
  if (!current || current.sha === build.event.sha) return undefined;
  const cloneUrl = pipeline.cloneUrl ?? build.event.cloneUrl;
  const older = await deps.ancestry.isAncestor(cloneUrl, build.event.sha, current.sha);
  return older ? `newer ${current.sha.slice(0, 7)} (build ${current.buildId}) is already deployed` : undefined;
}

async function record(deps: DeployDeps, build: Build, log: BuildLog, deploy: DeployRecord): Promise<DeployRecord> {
  if (deploy.finishedAt) log.line(`[${deploy.environment}] Deploy ${deploy.state}${deploy.detail ? `: ${deploy.detail}` : ''}`);
  await log.flush();
  const updated = await deps.store.setDeploy(build.id, deploy);
  await publishDeploy(deps, updated, deploy);
  return deploy;
}
