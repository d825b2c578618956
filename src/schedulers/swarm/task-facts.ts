import type { SwarmTask } from './swarm-api.ts';

/**
 * Terminal states that are failures for a service task: `rejected` (before it started, e.g. the
 * image could not be pulled), `failed`, and `complete` (it exited 0, but a service should run).
 */
const FAILED = new Set(['failed', 'rejected', 'complete']);

/** Tasks of `image` whose engine timestamp is not before `since` (engine time, RFC 3339). */
export function tasksOf(tasks: readonly SwarmTask[], image: string, since?: string): SwarmTask[] {
  const from = since ? Date.parse(since) : -Infinity;
  return tasks.filter((t) => t.Spec.ContainerSpec?.Image === image && Date.parse(t.Status.Timestamp) >= from);
}

/** How many of these tasks run now and are meant to. */
export function runningCount(tasks: readonly SwarmTask[]): number {
  return tasks.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running').length;
}

/** The newest failed task's own error (`task: non-zero exit (137): dockerexec: unhealthy container`), if any failed. */
export function failureReason(tasks: readonly SwarmTask[]): string | undefined {
  const failed = newestFailed(tasks);
  return failed ? describeTask(failed) : undefined;
}

/** The newest of these tasks that ended in failure, if any did. */
export function newestFailed(tasks: readonly SwarmTask[]): SwarmTask | undefined {
  return newestFirst(tasks.filter((t) => FAILED.has(t.Status.State)))[0];
}

/** Why tasks that should run do not (yet): the newest such task's state and the engine's words. */
export function waitingReason(tasks: readonly SwarmTask[]): string {
  const waiting = newestFirst(tasks.filter((t) => t.Status.State !== 'running'));
  return waiting[0] ? describeTask(waiting[0]) : 'no task of the release was scheduled';
}

/** `task failed: task: non-zero exit (1)`, `task pending: no suitable node (…)`, `task starting`. */
export function describeTask(task: SwarmTask): string {
  const words = task.Status.Err || (task.Status.Message !== task.Status.State ? task.Status.Message : undefined);
  return `task ${task.Status.State}${words ? `: ${words}` : ''}`;
}

function newestFirst(tasks: readonly SwarmTask[]): SwarmTask[] {
  return [...tasks].sort((a, b) => Date.parse(b.Status.Timestamp) - Date.parse(a.Status.Timestamp));
}
