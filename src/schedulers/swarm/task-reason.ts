import type Docker from 'dockerode';
import type { SwarmTask } from './swarm-api.ts';
import { describeTask } from './task-facts.ts';

type InspectedTask = SwarmTask & { readonly Status: { readonly ContainerStatus?: { readonly ContainerID?: string; readonly ExitCode?: number } } };

/**
 * What the engine knows of why `taskId` ended: its state and error (`task failed: task: non-zero
 * exit (1)`, `task complete: finished (exit 0)`), and, when its container is on the engine asked
 * and its health check had turned unhealthy, that check's last output. Undefined when the task is gone.
 */
export async function taskReason(docker: Docker, taskId: string): Promise<string | undefined> {
  const task = (await docker.getTask(taskId).inspect().catch(() => undefined)) as InspectedTask | undefined;
  if (!task) return undefined;
  const exit = task.Status.ContainerStatus?.ExitCode;
  const ended = task.Status.State === 'failed' || task.Status.State === 'complete';
  const words = `${describeTask(task)}${ended && exit !== undefined && !task.Status.Err ? ` (exit ${exit})` : ''}`;
  const health = await healthOf(docker, task.Status.ContainerStatus?.ContainerID);
  return health ? `${words}; ${health}` : words;
}

/** `its health check failed: wget: can't connect to remote host …` for an unhealthy container on this engine. */
async function healthOf(docker: Docker, containerId: string | undefined): Promise<string | undefined> {
  if (!containerId) return undefined;
  const info = await docker.getContainer(containerId).inspect().catch(() => undefined);
  const health = info?.State.Health as { Status?: string; Log?: { Output?: string }[] } | undefined;
  if (health?.Status !== 'unhealthy') return undefined;
  const output = health.Log?.at(-1)?.Output?.trim().split('\n').at(-1);
  return `its health check failed${output ? `: ${output}` : ''}`;
}

/** The task an UpdateStatus message names (`… early termination of task <id>`), if it names one. */
export function taskNamedIn(message: string | undefined): string | undefined {
  return /\btask ([a-z0-9]{25})\b/.exec(message ?? '')?.[1];
}
