import type { Build, DeployRecord } from '../core/build.ts';
import type { HeldDeploy, HeldDeploys } from '../core/ports/held-deploys.ts';
import type { DeployDeps } from './deps.ts';
import { publishDeploy } from './publish.ts';

export const WAITING_FOR_APPROVAL = 'Waiting for approval';

/**
 * Holds a push's deploy to an `approval: required` entry: the record becomes `held` (status
 * `pending`, "Waiting for approval …") and the environment's waiting slot points at it. The deploy
 * it replaces there, if any, ends `skipped`, saying which build took its place, so at most one
 * waits per environment; when a newer build's deploy already waits there, or waited there and
 * was approved, this one ends `skipped` instead. Runs under the target's deploy lease; safe to run twice for one deploy.
 */
export async function holdForApproval(
  deps: DeployDeps & { readonly held: HeldDeploys },
  build: Build,
  deploy: DeployRecord,
  record: (deploy: DeployRecord) => Promise<DeployRecord>,
): Promise<DeployRecord> {
  const { environment } = deploy;
  // Held first, then the slot: whoever takes the slot (approve) finds the record held.
  const held = await record({ ...deploy, state: 'held', detail: WAITING_FOR_APPROVAL, startedAt: undefined });
  const slot = await deps.held.hold(build.service, environment, { buildId: build.id, deployId: deploy.id });
  if (!slot.held) {
    // This job ran after a newer build's (a retry, another worker): the newer one keeps waiting, or was approved.
    const newer = await deps.store.get(slot.newer.buildId);
    const detail = `build ${slot.newer.buildId}${newer ? ` (${newer.event.sha.slice(0, 7)})` : ''}, newer, ${slot.approved ? 'was approved already' : 'already waits for approval'}`;
    return record({ ...held, state: 'skipped', detail, finishedAt: Date.now() });
  }
  deps.store.log(build.id).line(`[${environment}] ${WAITING_FOR_APPROVAL}: slipway approve ${build.service} ${environment}`);
  await deps.store.log(build.id).flush();
  if (slot.replaced && slot.replaced.deployId !== deploy.id) await endReplaced(deps, slot.replaced, build);
  return held;
}

/** The older held deploy ends `skipped` (final): a newer build waits in its place. */
async function endReplaced(deps: DeployDeps, replaced: HeldDeploy, newer: Build): Promise<void> {
  const older = await deps.store.get(replaced.buildId);
  const deploy = older?.deploys.find((d) => d.id === replaced.deployId);
  if (!older || !deploy || deploy.state !== 'held') return;
  const detail = `replaced by build ${newer.id} (${newer.event.sha.slice(0, 7)}), which waits for approval now`;
  const ended: DeployRecord = { ...deploy, state: 'skipped', detail, finishedAt: Date.now() };
  const log = deps.store.log(older.id);
  log.line(`[${deploy.environment}] Deploy skipped: ${detail}`);
  await log.flush();
  await publishDeploy(deps, await deps.store.setDeploy(older.id, ended), ended);
}
