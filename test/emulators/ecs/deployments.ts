// Deployment lifecycle of the ECS emulator: new PRIMARY, COMPLETED, FAILED with the circuit
// breaker's rollback (reference: shared/reference/apis.md §6, "Deployment circuit breaker").
import { randomUUID } from 'node:crypto';
import type { CircuitBreaker, ClusterRecord, DeploymentRecord, ServiceRecord, TaskRecord } from './state.ts';

/** Failure threshold of the circuit breaker: 0.5 × desired count, clamped to [3, 200]. */
export function failureThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

/** Newest first, at most 100, like ECS. */
export function addEvent(service: ServiceRecord, message: string): void {
  service.events.unshift({ id: randomUUID(), createdAt: Date.now(), message });
  service.events.length = Math.min(service.events.length, 100);
}

/** A new PRIMARY deployment of `taskDefinition`; the one before becomes ACTIVE. */
export function startDeployment(service: ServiceRecord, id: string, taskDefinition: string): DeploymentRecord {
  const breaker: CircuitBreaker = {
    enable: service.deploymentConfiguration.deploymentCircuitBreaker?.enable === true,
    rollback: service.deploymentConfiguration.deploymentCircuitBreaker?.rollback === true,
  };
  const now = Date.now();
  const deployment: DeploymentRecord = {
    id, status: 'PRIMARY', taskDefinition, desiredCount: service.desiredCount, failedTasks: 0,
    rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${id} in progress.`,
    circuitBreaker: breaker, createdAt: now, updatedAt: now,
  };
  for (const d of service.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
  service.deployments.unshift(deployment);
  service.taskDefinition = taskDefinition;
  return deployment;
}

/** Steady state: the deployment is COMPLETED, every older deployment's tasks stop and it goes away. */
export function completeDeployment(cluster: ClusterRecord, service: ServiceRecord, deployment: DeploymentRecord): void {
  deployment.rolloutState = 'COMPLETED';
  deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
  deployment.updatedAt = Date.now();
  service.lastCompleted = { id: deployment.id, taskDefinition: deployment.taskDefinition };
  for (const old of service.deployments.filter((d) => d !== deployment)) {
    old.status = 'INACTIVE';
    for (const task of tasksOf(cluster, old)) stopTask(task, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${deployment.id})`);
  }
  service.deployments = [deployment];
  addEvent(service, `(service ${service.name}) (deployment ${deployment.id}) deployment completed.`);
  addEvent(service, `(service ${service.name}) has reached a steady state.`);
}

/**
 * The circuit breaker trips: FAILED, no more launches. With rollback and a COMPLETED deployment
 * to go back to, a new PRIMARY deployment of that task definition starts and the failed one's
 * tasks stop; with none, the deployment stalls.
 */
export function failDeployment(cluster: ClusterRecord, service: ServiceRecord, deployment: DeploymentRecord, newId: string): void {
  deployment.rolloutState = 'FAILED';
  deployment.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
  deployment.updatedAt = Date.now();
  addEvent(service, `(service ${service.name}) (deployment ${deployment.id}) deployment failed: tasks failed to start.`);
  const target = service.lastCompleted;
  if (!deployment.circuitBreaker.rollback || !target) return;
  addEvent(service, `(service ${service.name}) rolling back to deployment ${target.id}.`);
  startDeployment(service, newId, target.taskDefinition);
  for (const task of tasksOf(cluster, deployment)) stopTask(task, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${newId})`);
}

/** The deployment's tasks that are meant to run. */
export function tasksOf(cluster: ClusterRecord, deployment: DeploymentRecord): TaskRecord[] {
  return [...cluster.tasks.values()].filter((t) => t.deploymentId === deployment.id && t.desiredStatus === 'RUNNING');
}

/**
 * Marks a task for stopping (the controller stops its containers and sets lastStatus STOPPED).
 * Returns false when it was already stopping.
 */
export function stopTask(task: TaskRecord, stopCode: string, reason: string): boolean {
  if (task.desiredStatus === 'STOPPED') return false;
  task.desiredStatus = 'STOPPED';
  task.stopCode = stopCode;
  task.stoppedReason = reason;
  task.stoppingAt = Date.now();
  return true;
}
