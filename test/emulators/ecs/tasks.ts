// ListTasks and DescribeTasks of the ECS emulator: why a task stopped, in ECS's words.
import { AwsError, invalidParameter } from './aws-error.ts';
import { epoch, type ClusterRecord, type EcsState, type Json, type TaskRecord } from './state.ts';

/** `startedBy` cannot be combined with other filters; `desiredStatus` defaults to RUNNING. */
export function listTasks(state: EcsState, body: Json): Json {
  const cluster = state.cluster(body.cluster);
  if (body.startedBy !== undefined && (body.serviceName !== undefined || body.family !== undefined || body.desiredStatus !== undefined)) {
    throw invalidParameter('startedBy may not be specified with other filters.');
  }
  const serviceName = typeof body.serviceName === 'string' ? body.serviceName.split('/').pop() : undefined;
  if (serviceName !== undefined && !cluster.services.has(serviceName)) throw new AwsError('ServiceNotFoundException', 'Service not found.');
  const desired = body.desiredStatus ?? 'RUNNING';
  if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desired)) throw invalidParameter(`desiredStatus must be RUNNING, PENDING or STOPPED.`);
  const max = body.maxResults ?? 100;
  if (typeof max !== 'number' || max < 1 || max > 100) throw invalidParameter('maxResults must be between 1 and 100.');
  const matching = [...cluster.tasks.values()].filter((t) =>
    (serviceName === undefined || t.service === serviceName) &&
    (body.startedBy === undefined || t.deploymentId === body.startedBy) &&
    (body.family === undefined || state.findTaskDefinition(t.taskDefinitionArn)?.family === body.family) &&
    (body.startedBy !== undefined || (desired === 'STOPPED' ? t.desiredStatus === 'STOPPED' : t.desiredStatus === 'RUNNING')));
  const start = typeof body.nextToken === 'string' ? Number(Buffer.from(body.nextToken, 'base64').toString('utf8')) || 0 : 0;
  const page = matching.slice(start, start + max);
  const more = start + max < matching.length;
  return { taskArns: page.map((t) => t.arn), ...(more ? { nextToken: Buffer.from(String(start + max)).toString('base64') } : {}) };
}

/** 1–100 task ARNs or ids; unknown ones are `failures` with reason MISSING. */
export function describeTasks(state: EcsState, body: Json): Json {
  const cluster = state.cluster(body.cluster);
  const refs: unknown = body.tasks;
  if (!Array.isArray(refs) || refs.length === 0) throw invalidParameter('Tasks cannot be empty.');
  if (refs.length > 100) throw invalidParameter('tasks can have at most 100 items.');
  const tasks: Json[] = [];
  const failures: Json[] = [];
  for (const ref of refs as string[]) {
    const id = String(ref).split('/').pop()!;
    const task = cluster.tasks.get(id);
    if (task) tasks.push(taskView(cluster, task));
    else failures.push({ arn: String(ref).startsWith('arn:') ? ref : state.arn(`task/${cluster.name}/${id}`), reason: 'MISSING' });
  }
  return { tasks, failures };
}

export function taskView(cluster: ClusterRecord, t: TaskRecord): Json {
  return {
    taskArn: t.arn, clusterArn: cluster.arn, taskDefinitionArn: t.taskDefinitionArn,
    group: `service:${t.service}`, startedBy: t.deploymentId, launchType: 'EC2', availabilityZone: 'us-east-1a',
    lastStatus: t.lastStatus, desiredStatus: t.desiredStatus, healthStatus: taskHealth(t),
    createdAt: epoch(t.createdAt), startedAt: epoch(t.startedAt), stoppingAt: epoch(t.stoppingAt), stoppedAt: epoch(t.stoppedAt),
    stopCode: t.stopCode, stoppedReason: t.stoppedReason,
    containers: t.containers.map((c) => ({
      containerArn: `${cluster.arn.replace(':cluster/', ':container/')}/${t.id}/${c.name}`, taskArn: t.arn,
      name: c.name, image: c.image, lastStatus: c.lastStatus, exitCode: c.exitCode, reason: c.reason,
      healthStatus: c.healthStatus, runtimeId: c.dockerId,
    })),
  };
}

/** HEALTHY when every essential container with a health check is; UNKNOWN without checks. */
export function taskHealth(t: TaskRecord): 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' {
  const checked = t.containers.filter((c) => c.essential && c.hasHealthCheck);
  if (checked.length === 0) return 'UNKNOWN';
  if (checked.some((c) => c.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY';
  return checked.every((c) => c.healthStatus === 'HEALTHY') ? 'HEALTHY' : 'UNKNOWN';
}

/** Running and, where the task definition has a health check, healthy: what counts toward steady state. */
export function isHealthyRunning(t: TaskRecord): boolean {
  if (t.lastStatus !== 'RUNNING' || t.desiredStatus !== 'RUNNING') return false;
  return t.containers.every((c) => !c.essential || !c.hasHealthCheck || c.healthStatus === 'HEALTHY');
}
