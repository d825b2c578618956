import type { Container, Task } from '@aws-sdk/client-ecs';

/**
 * Why the most recently stopped task of `taskDefinitionArn` stopped, in ECS's own words: the
 * task's `stoppedReason` (e.g. "CannotPullContainerError: …", "Task failed container health
 * checks", "Essential container in task exited") plus a container's own `reason`, or — when the
 * app exited by itself — its exit code. Undefined when none of these tasks has stopped. Pure.
 */
export function stopReason(tasks: readonly Task[], taskDefinitionArn: string): string | undefined {
  const task = tasks
    .filter((t) => t.taskDefinitionArn === taskDefinitionArn && t.lastStatus === 'STOPPED')
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))[0];
  if (!task) return undefined;
  const parts = [task.stoppedReason, containerPart(task)].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function containerPart(task: Task): string | undefined {
  const containers: Container[] = task.containers ?? [];
  const explained = containers.find((c) => c.reason && c.reason !== task.stoppedReason);
  if (explained) return `container ${explained.name}: ${explained.reason}`;
  // after a stop ECS itself initiated, the exit code (137, 143) says only that it was stopped
  if (task.stopCode !== 'EssentialContainerExited') return undefined;
  const exited = containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ?? containers.find((c) => c.exitCode !== undefined);
  return exited ? `container ${exited.name} exited with code ${exited.exitCode}` : undefined;
}
