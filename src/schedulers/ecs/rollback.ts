import { describeError } from '../../core/errors.ts';
import type { Deployment } from '../../core/ports/scheduler.ts';
import { seconds } from '../health-check.ts';
import { watchDeployment, type WatchVerdict } from './deployment-watch.ts';
import { withCircuitBreaker, type Before, type Rollout } from './rollout.ts';
import { stopReason } from './stop-reason.ts';

/** A deployment of our revision that did not complete, and how that showed. */
export interface Failure {
  readonly arn: string;
  /** `web:43` */
  readonly label: string;
  readonly verdict: Exclude<WatchVerdict, { kind: 'completed' }>;
}

/**
 * After our deployment failed, was replaced or ran out of time: finds ECS's reason, then makes
 * sure the last COMPLETED task definition runs again — ECS's own circuit-breaker rollback when it
 * started one, else an UpdateService back to it — and waits for that deployment. Nothing COMPLETED
 * before → `failed`; someone else's newer deployment → `failed` (theirs is not ours to undo).
 */
export async function rollBackIfFailed(r: Rollout, before: Before, failure: Failure): Promise<Deployment> {
  const reason = await whyFailed(r, failure);
  const previous = before.image;
  r.log.line(`${failure.label} did not roll out: ${reason}`);
  const v = failure.verdict;
  if (v.kind === 'superseded' && v.by.taskDefinition !== before.stable) {
    return { outcome: 'failed', detail: `${reason}; deployment ${v.by.id} of ${label(v.by.taskDefinition)} replaced it`, previous };
  }
  if (!before.stable) {
    r.log.line('No COMPLETED deployment to roll back to');
    return { outcome: 'failed', detail: reason, previous };
  }
  const stable = label(before.stable);
  const id = await rollbackDeployment(r, before, v);
  const { cluster, service } = r.settings;
  const back = await watchDeployment({ ...r, cluster, service, id, taskDefinitionArn: before.stable, label: stable });
  if (back.kind === 'completed') {
    r.log.line(`${stable} runs again`);
    return { outcome: 'rolled_back', detail: reason, previous };
  }
  r.log.line(`The rollback to ${stable} did not complete either (${back.kind})`);
  return { outcome: 'rolled_back', detail: `${reason}; the rollback to ${stable} had not completed within ${seconds(r.deadlineMs)}`, previous };
}

/** The id of the deployment that takes the service back to `stable`: ECS's rollback, or ours. */
async function rollbackDeployment(r: Rollout, before: Before, v: Failure['verdict']): Promise<string | undefined> {
  const { cluster, service } = r.settings;
  const stable = before.stable!;
  if (v.kind === 'superseded') {
    r.log.line(`ECS rolled back to ${label(stable)} (deployment ${v.by.id})`);
    return v.by.id;
  }
  if (v.kind === 'failed') {
    const primary = (await r.api.service(cluster, service)).deployments?.find((d) => d.status === 'PRIMARY');
    if (primary?.taskDefinition === stable) {
      r.log.line(`ECS rolled back to ${label(stable)} (deployment ${primary.id})`);
      return primary.id;
    }
  }
  r.log.line(`Rolling back to ${label(stable)}`);
  const updated = await r.api.update(cluster, service, stable, withCircuitBreaker(before.service.deploymentConfiguration));
  return updated.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === stable)?.id;
}

/** ECS's words for why our tasks stopped, else the circuit breaker's; a timeout says so first. */
async function whyFailed(r: Rollout, f: Failure): Promise<string> {
  const tasks = await r.api.stoppedTasks(r.settings.cluster, r.settings.service).catch((err: unknown) => {
    r.log.line(`Could not read the stopped tasks: ${describeError(err)}`);
    return [];
  });
  const said = stopReason(tasks, f.arn) ?? (f.verdict.kind === 'failed' ? f.verdict.reason : undefined);
  if (f.verdict.kind === 'timeout') return `${f.label} did not complete within ${seconds(r.deadlineMs)}${said ? `: ${said}` : ''}`;
  return said ?? `${f.label} did not complete: ECS gave no reason`;
}

/** `arn:aws:ecs:…:task-definition/web:41` → `web:41`. */
function label(arn: string | undefined): string {
  return arn?.split('/').pop() ?? 'an unknown task definition';
}
