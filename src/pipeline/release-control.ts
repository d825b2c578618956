import type { DeployRecord } from '../core/build.ts';
import { unknownTarget } from '../core/pipeline.ts';
import type { HeldDeploys } from '../core/ports/held-deploys.ts';
import { buildUrl, publishDeploy } from './publish.ts';
import { enqueueOrFail, notDeployable, queueRequestedDeploy, type RequestDeps, type RequestResult } from './queue-requested-deploy.ts';

/**
 * `slipway deploy <service> <environment> --build <id>`: queues a deploy of that already pushed
 * build of the service (any branch), by its digest; nothing is rebuilt. Changes nothing when it refuses.
 */
export async function requestDeploy(deps: RequestDeps, request: { service: string; environment: string; buildId: string }): Promise<RequestResult> {
  const { service, environment, buildId } = request;
  const unknown = unknownTarget(deps.pipelines, service, environment);
  if (unknown) return { refused: unknown, reason: 'unknown_target' };
  const build = await deps.store.get(buildId);
  const problem = notDeployable(build, buildId, service);
  if (problem || !build) return { refused: problem ?? `no build ${buildId}`, reason: 'not_deployable' };
  const current = await deps.store.release(service, environment);
  const deploy = await queueRequestedDeploy(deps, build, environment, 'deploy');
  return { queued: { build, deploy, current, url: buildUrl(deps.publicUrl, build.id) } };
}

/**
 * `slipway promote <service> <from> <to>`: queues a deploy to `to` of exactly the digest running
 * in `from` (its release record), the build it came from. Changes nothing when it refuses.
 */
export async function requestPromotion(deps: RequestDeps, request: { service: string; from: string; to: string }): Promise<RequestResult> {
  const { service, from, to } = request;
  const unknown = unknownTarget(deps.pipelines, service, from) ?? unknownTarget(deps.pipelines, service, to);
  if (unknown) return { refused: unknown, reason: 'unknown_target' };
  if (from === to) return { refused: `promote takes two different environments, not ${from} twice`, reason: 'unknown_target' };
  const running = await deps.store.release(service, from);
  if (!running) return { refused: `nothing has been released to ${service} in ${from} yet, so there is nothing to promote`, reason: 'nothing_to_promote' };
  const build = await deps.store.get(running.buildId);
  const problem = notDeployable(build, running.buildId, service);
  if (problem || !build) return { refused: `the release running in ${from} cannot be promoted: ${problem}`, reason: 'nothing_to_promote' };
  if (!running.image.endsWith(`@${build.image!.digest}`)) {
    return { refused: `${from} runs ${running.image}, which is not the image build ${build.id} pushed; deploy a build by id instead`, reason: 'nothing_to_promote' };
  }
  const current = await deps.store.release(service, to);
  const deploy = await queueRequestedDeploy(deps, build, to, 'promote', from);
  return { queued: { build, deploy, current, url: buildUrl(deps.publicUrl, build.id) } };
}

/**
 * `slipway approve <service> <environment>`: lets the deploy held there go. It takes the waiting
 * slot (so a newer build arriving at the same moment waits instead of replacing it), marks the
 * record `queued` as an approval (a person's decision: the fence does not apply), and queues its
 * job. Refuses when nothing waits.
 */
export async function approveHeld(deps: RequestDeps & { readonly held: HeldDeploys }, request: { service: string; environment: string }): Promise<RequestResult> {
  const { service, environment } = request;
  const unknown = unknownTarget(deps.pipelines, service, environment);
  if (unknown) return { refused: unknown, reason: 'unknown_target' };
  const nothing: RequestResult = { refused: `nothing waits for approval in ${environment} of ${service}`, reason: 'nothing_to_approve' };
  const waiting = await deps.held.take(service, environment);
  if (!waiting) return nothing;
  const build = await deps.store.get(waiting.buildId);
  const deploy = build?.deploys.find((d) => d.id === waiting.deployId);
  if (!build || deploy?.state !== 'held') return nothing;
  const current = await deps.store.release(service, environment);
  const approved: DeployRecord = { ...deploy, state: 'queued', requested: 'approval', detail: undefined };
  const updated = await deps.store.setDeploy(build.id, approved);
  deps.store.log(build.id).line(`[${environment}] Approved; queued the deploy`);
  await deps.store.log(build.id).flush();
  await publishDeploy(deps, updated, approved);
  await enqueueOrFail(deps, build.id, approved, 'approved deploy');
  return { queued: { build: updated, deploy: approved, current, url: buildUrl(deps.publicUrl, build.id) } };
}
