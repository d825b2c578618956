import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment as EcsDeployment, Service } from '@aws-sdk/client-ecs';
import { isSlipwayError } from '../../core/errors.ts';
import type { LogSink } from '../../core/ports/build-log.ts';
import type { EcsApi } from './ecs-api.ts';

/** How watching one ECS deployment ended. */
export type WatchVerdict =
  | { readonly kind: 'completed'; readonly afterMs: number }
  /** the circuit breaker marked it FAILED; `reason` is ECS's rolloutStateReason */
  | { readonly kind: 'failed'; readonly reason?: string }
  /** a newer PRIMARY deployment replaced it (a rollback, or someone else's deploy) */
  | { readonly kind: 'superseded'; readonly by: EcsDeployment }
  | { readonly kind: 'timeout' };

export interface Watch {
  readonly api: EcsApi;
  readonly log: LogSink;
  readonly cluster: string;
  readonly service: string;
  /** the deployment's id when known, else it is found by its task definition */
  readonly id?: string;
  readonly taskDefinitionArn: string;
  /** `web:42`, for the log */
  readonly label: string;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  /** ids of service events already logged (or older than the rollout); new ones are added */
  readonly seenEvents: Set<string>;
}

/**
 * Polls DescribeServices every `intervalMs` until the deployment of `taskDefinitionArn` is
 * COMPLETED or FAILED, a newer PRIMARY replaces it, or the deadline passes. New service events
 * and changes in task counts go to the log. A poll that fails in a retryable way is logged and
 * tried again at the next interval; a refusal is thrown.
 */
export async function watchDeployment(w: Watch): Promise<WatchVerdict> {
  const started = Date.now();
  let progress = '';
  let id = w.id;
  for (;;) {
    if (Date.now() - started >= w.deadlineMs) return { kind: 'timeout' };
    await sleep(Math.min(w.intervalMs, Math.max(0, started + w.deadlineMs - Date.now())));
    const service = await poll(w);
    if (!service) continue;
    logEvents(w.log, service, w.seenEvents);
    const ours = service.deployments?.find((d) => (id ? d.id === id : d.taskDefinition === w.taskDefinitionArn));
    id ??= ours?.id;
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    if (ours) progress = logProgress(w, ours, progress);
    if (ours?.rolloutState === 'COMPLETED') return { kind: 'completed', afterMs: Date.now() - started };
    if (ours?.rolloutState === 'FAILED') return { kind: 'failed', reason: ours.rolloutStateReason };
    if (primary && primary.id !== ours?.id) return { kind: 'superseded', by: primary };
  }
}

async function poll(w: Watch): Promise<Service | undefined> {
  try {
    return await w.api.service(w.cluster, w.service);
  } catch (err) {
    if (!isSlipwayError(err) || !err.retryable) throw err;
    w.log.line(`${err.message}; trying again`);
    return undefined;
  }
}

/** Service events not seen before, oldest first; ECS lists them newest first. */
function logEvents(log: LogSink, service: Service, seen: Set<string>): void {
  const fresh = (service.events ?? []).filter((e) => e.id && !seen.has(e.id));
  for (const event of fresh.reverse()) {
    seen.add(event.id!);
    log.line(`ECS: ${event.message}`);
  }
}

function logProgress(w: Watch, d: EcsDeployment, last: string): string {
  const text = `${w.label}: ${d.runningCount ?? 0}/${d.desiredCount ?? 0} running, ${d.pendingCount ?? 0} pending, ${d.failedTasks ?? 0} failed`;
  if (text !== last) w.log.line(text);
  return text;
}
