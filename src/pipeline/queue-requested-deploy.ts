import type { Build, DeployRecord, DeployRequestKind } from '../core/build.ts';
import { describeError } from '../core/errors.ts';
import { targetFor } from '../core/pipeline.ts';
import type { ReleaseRecord } from '../core/ports/build-store.ts';
import type { PipelineDeps } from './deps.ts';
import { pipelineFor, publishDeploy } from './publish.ts';

export interface RequestDeps extends PipelineDeps {
  /** queues the job that runs `deploy`, a deploy record of `buildId` */
  readonly enqueueDeploy: (buildId: string, deploy: DeployRecord) => Promise<void>;
}

/** What a person asked for was queued, or why nothing was: `unknown_target` is a wrong service or environment, the others the state of things. */
export type RequestResult =
  | { readonly queued: { readonly build: Build; readonly deploy: DeployRecord; readonly current?: ReleaseRecord; readonly url: string } }
  | { readonly refused: string; readonly reason: RefusalReason };

export type RefusalReason = 'unknown_target' | 'nothing_to_roll_back' | 'not_deployable' | 'nothing_to_promote' | 'nothing_to_approve';

/** How a person asked: a rollback, or one of the other deploys a person asks for. */
export type RequestKind = 'rollback' | Exclude<DeployRequestKind, 'approval'>;

/** Why `build` (asked for as `id`) cannot be deployed as `service`, or undefined when it can: it must be that service's and pushed. */
export function notDeployable(build: Build | undefined, id: string, service: string): string | undefined {
  if (!build) return `no build ${id}`;
  if (build.service !== service) return `build ${id} is of ${build.service}, not ${service}`;
  if (!build.image?.digest) return `build ${id} (${build.event.sha.slice(0, 7)}) was never pushed (it ${build.state}${build.detail ? `: ${build.detail}` : ''}); only pushed builds can be deployed`;
  return undefined;
}

/**
 * Queues a deploy a person asked for (rollback, deploy, promote) of a pushed build to one
 * environment: the deploy record first (on that build, `queued`), its pending status, then the
 * job; the worker deploys it by digest, past the ancestry fence and without waiting for approval.
 * A job that cannot be queued leaves the record `error`, with its status, and the error is thrown.
 */
export async function queueRequestedDeploy(deps: RequestDeps, build: Build, environment: string, kind: RequestKind, from?: string): Promise<DeployRecord> {
  const pipeline = pipelineFor(deps, build.service);
  const scheduler = (pipeline && targetFor(pipeline, environment, build.event.branch, true)?.scheduler) ?? 'unknown';
  const asked = kind === 'rollback' ? { rollback: true } : { requested: kind, ...(from ? { from } : {}) };
  const added = await deps.store.addDeploy(build.id, { environment, scheduler, ...asked });
  const deploy = added.deploy;
  await publishDeploy(deps, added.build, deploy);
  await enqueueOrFail(deps, build.id, deploy, kind);
  return deploy;
}

/** Queues the deploy's job; when that fails, the record ends `error` (with its status) and the error is thrown. */
export async function enqueueOrFail(deps: RequestDeps, buildId: string, deploy: DeployRecord, what: string): Promise<void> {
  try {
    await deps.enqueueDeploy(buildId, deploy);
  } catch (err) {
    const failed: DeployRecord = { ...deploy, state: 'error', detail: `could not queue the ${what}: ${describeError(err)}`, finishedAt: Date.now() };
    await publishDeploy(deps, await deps.store.setDeploy(buildId, failed), failed);
    throw err;
  }
}
