import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { LogSink } from '../../core/ports/build-log.ts';
import { seconds } from '../health-check.ts';
import { serviceTasks, type SwarmTask } from './swarm-api.ts';
import { taskNamedIn, taskReason } from './task-reason.ts';
import { failureReason, newestFailed, runningCount, tasksOf, waitingReason } from './task-facts.ts';

/** What a watch needs: the service, the release's pinned image, how many tasks, how often to look. */
export interface Watch {
  readonly docker: Docker;
  readonly serviceId: string;
  readonly image: string;
  readonly replicas: number;
  readonly intervalMs: number;
  readonly log: LogSink;
  readonly signal?: AbortSignal;
}

/** How the engine left a rollout: its tasks run, it rolled back, it failed, or it is still not done. */
export type Verdict =
  | { readonly kind: 'running' }
  | { readonly kind: 'rolled_back' | 'failed' | 'stuck'; readonly reason: string };

/**
 * Waits until the engine settles an update of the service to `image`, from its `UpdateStatus`:
 * `completed` with every task of the image running → running; `rollback_completed` → rolled back,
 * with the reason of the task the engine blames; `paused`/`rollback_paused` → failed. A rollback the
 * engine starts gets a fresh `deadlineMs` of its own. Past the deadline → stuck, saying what the
 * tasks wait on (the engine would keep an update `updating` forever).
 */
export async function watchUpdate(w: Watch, deadlineMs: number, since: string | undefined): Promise<Verdict> {
  let deadline = Date.now() + deadlineMs;
  let seen: string | undefined;
  let naming: string | undefined; // the message that names the task the engine blames
  for (;;) {
    w.signal?.throwIfAborted();
    const service = (await w.docker.getService(w.serviceId).inspect()) as Docker.Service;
    const status = service.UpdateStatus;
    if (status?.State && status.State !== seen) {
      seen = status.State;
      w.log.line(`Swarm: ${status.State}${status.Message ? ` (${status.Message})` : ''}`);
      if (seen === 'rollback_started') deadline = Date.now() + deadlineMs;
      if (taskNamedIn(status.Message)) naming = status.Message;
    }
    const tasks = tasksOf(await serviceTasks(w.docker, w.serviceId), w.image, since);
    if (status?.State === 'completed' && runningCount(tasks) >= w.replicas) return { kind: 'running' };
    if (status?.State === 'rollback_completed') return { kind: 'rolled_back', reason: await engineReason(w, naming, tasks, true) ?? status.Message ?? '' };
    if (status?.State === 'paused' || status?.State === 'rollback_paused') {
      return { kind: 'failed', reason: `${status.Message ?? status.State}${naming === status.Message ? '' : `; ${await engineReason(w, naming, tasks)}`}` };
    }
    if (Date.now() > deadline) return { kind: 'stuck', reason: stuck(tasks, deadlineMs) };
    await sleep(w.intervalMs, undefined, { signal: w.signal });
  }
}

/**
 * Waits until `replicas` tasks of `image` run (with an engine health check: run healthy), as for a
 * service just created, which has no UpdateStatus. `failFast`: a failed task of the image ends the
 * wait at once, with its error (nothing to roll back to on a first deploy).
 */
export async function watchTasks(w: Watch, deadlineMs: number, failFast: boolean): Promise<Verdict> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    w.signal?.throwIfAborted();
    const tasks = tasksOf(await serviceTasks(w.docker, w.serviceId), w.image);
    if (runningCount(tasks) >= w.replicas) return { kind: 'running' };
    const failed = failFast ? failureReason(tasks) : undefined;
    if (failed) return { kind: 'failed', reason: failed };
    if (Date.now() > deadline) return { kind: 'stuck', reason: stuck(tasks, deadlineMs) };
    await sleep(w.intervalMs, undefined, { signal: w.signal });
  }
}

/**
 * The engine's reason for a rollback or pause: its message that names a task (`update rolled back
 * due to failure or early termination of task <id>`) with that task's own words. That message only
 * lives while the rollback runs, which can be over before one look (~0.1 s); then the newest failed
 * task of the release is the one blamed: `the engine rolled back: task <id>: <its own words>`.
 * `rolledBack`: logs `Swarm: rolled back by the engine (task <id>: …)` either way.
 */
async function engineReason(w: Watch, naming: string | undefined, tasks: readonly SwarmTask[], rolledBack = false): Promise<string | undefined> {
  const named = taskNamedIn(naming);
  const id = named ?? newestFailed(tasks)?.ID;
  const own = id ? await taskReason(w.docker, id) : undefined;
  if (rolledBack && id) w.log.line(`Swarm: rolled back by the engine (task ${id}: ${own ?? 'gone'})`);
  if (!own) return failureReason(tasks) ?? naming;
  return named ? `${naming}: ${own}` : `the engine ${rolledBack ? 'rolled back' : 'paused'}: task ${id}: ${own}`;
}

function stuck(tasks: readonly SwarmTask[], deadlineMs: number): string {
  return `not running within ${seconds(deadlineMs)}: ${failureReason(tasks) ?? waitingReason(tasks)}`;
}
