// CreateCluster, CreateService, UpdateService, DescribeServices of the ECS emulator.
import { isDeepStrictEqual } from 'node:util';
import { AwsError, invalidParameter } from './aws-error.ts';
import { startDeployment } from './deployments.ts';
import { epoch, type ClusterRecord, type DeploymentRecord, type EcsState, type Json, type ServiceRecord } from './state.ts';
import { usableTaskDefinition } from './task-definitions.ts';

const DEFAULT_DEPLOYMENT_CONFIGURATION = {
  deploymentCircuitBreaker: { enable: false, rollback: false },
  maximumPercent: 200,
  minimumHealthyPercent: 100,
};

export function createCluster(state: EcsState, body: Json): Json {
  const cluster = state.createCluster(typeof body.clusterName === 'string' && body.clusterName ? body.clusterName : 'default');
  return { cluster: { clusterArn: cluster.arn, clusterName: cluster.name, status: 'ACTIVE', activeServicesCount: cluster.services.size } };
}

/** Re-creating an ACTIVE service with the same request returns it; with another → InvalidParameterException. */
export function createService(state: EcsState, body: Json): Json {
  const cluster = state.cluster(body.cluster);
  if (typeof body.serviceName !== 'string' || body.serviceName === '') throw invalidParameter('serviceName must not be empty.');
  const existing = cluster.services.get(body.serviceName);
  if (existing?.status === 'ACTIVE') {
    if (!isDeepStrictEqual(existing.request, body)) throw invalidParameter('Creation of service was not idempotent.');
    return { service: serviceView(state, cluster, existing) };
  }
  const taskDefinition = usableTaskDefinition(state, body.taskDefinition);
  const service: ServiceRecord = {
    arn: state.serviceArn(cluster, body.serviceName), name: body.serviceName, cluster: cluster.name, status: 'ACTIVE',
    desiredCount: count(body.desiredCount ?? 0), taskDefinition: taskDefinition.arn, launchType: body.launchType ?? 'EC2',
    deploymentConfiguration: { ...DEFAULT_DEPLOYMENT_CONFIGURATION, ...body.deploymentConfiguration },
    deployments: [], events: [], request: structuredClone(body), createdAt: Date.now(),
  };
  cluster.services.set(service.name, service);
  startDeployment(service, state.newDeploymentId(), taskDefinition.arn);
  return { service: serviceView(state, cluster, service) };
}

/**
 * A new task definition (or `forceNewDeployment`) starts a new PRIMARY deployment; re-sending
 * the current one starts none. `desiredCount` and `deploymentConfiguration` apply either way.
 */
export function updateService(state: EcsState, body: Json): Json {
  const cluster = state.cluster(body.cluster);
  const service = typeof body.service === 'string' ? state.findService(cluster, body.service) : undefined;
  if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
  if (service.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
  const taskDefinition = body.taskDefinition === undefined ? undefined : usableTaskDefinition(state, body.taskDefinition);
  if (body.deploymentConfiguration) service.deploymentConfiguration = { ...service.deploymentConfiguration, ...body.deploymentConfiguration };
  if (body.desiredCount !== undefined) service.desiredCount = count(body.desiredCount);
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  const next = taskDefinition?.arn ?? service.taskDefinition;
  if (body.forceNewDeployment === true || next !== primary?.taskDefinition) {
    startDeployment(service, state.newDeploymentId(), next);
  } else if (primary) {
    primary.desiredCount = service.desiredCount;
  }
  return { service: serviceView(state, cluster, service) };
}

/** 1–10 names or ARNs; unknown ones are `failures` with reason MISSING, not an error. */
export function describeServices(state: EcsState, body: Json): Json {
  const cluster = state.cluster(body.cluster);
  const refs: unknown = body.services;
  if (!Array.isArray(refs) || refs.length === 0) throw invalidParameter('Services cannot be empty.');
  if (refs.length > 10) throw invalidParameter('services can have at most 10 items.');
  const services: Json[] = [];
  const failures: Json[] = [];
  for (const ref of refs as string[]) {
    const service = state.findService(cluster, String(ref));
    if (service) services.push(serviceView(state, cluster, service));
    else failures.push({ arn: String(ref).startsWith('arn:') ? ref : state.serviceArn(cluster, String(ref)), reason: 'MISSING' });
  }
  return { services, failures };
}

function count(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidParameter('desiredCount must be a non-negative integer.');
  return value;
}

export function serviceView(state: EcsState, cluster: ClusterRecord, s: ServiceRecord): Json {
  const deployments = s.deployments.map((d) => deploymentView(cluster, s, d));
  return {
    serviceArn: s.arn, serviceName: s.name, clusterArn: cluster.arn, loadBalancers: [], serviceRegistries: [],
    status: s.status, desiredCount: s.desiredCount,
    runningCount: deployments.reduce((n, d) => n + d.runningCount, 0),
    pendingCount: deployments.reduce((n, d) => n + d.pendingCount, 0),
    launchType: s.launchType, taskDefinition: s.taskDefinition, deploymentConfiguration: structuredClone(s.deploymentConfiguration),
    deployments, events: s.events.map((e) => ({ id: e.id, createdAt: epoch(e.createdAt), message: e.message })),
    createdAt: epoch(s.createdAt), placementConstraints: [], placementStrategy: [], schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' }, createdBy: `arn:aws:iam::${state.account}:user/slipway-test`,
    enableECSManagedTags: false, propagateTags: 'NONE', enableExecuteCommand: false,
  };
}

function deploymentView(cluster: ClusterRecord, s: ServiceRecord, d: DeploymentRecord) {
  const tasks = [...cluster.tasks.values()].filter((t) => t.deploymentId === d.id && t.desiredStatus === 'RUNNING');
  return {
    id: d.id, status: d.status, taskDefinition: d.taskDefinition, desiredCount: d.desiredCount,
    pendingCount: tasks.filter((t) => t.lastStatus !== 'RUNNING').length,
    runningCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    failedTasks: d.failedTasks, createdAt: epoch(d.createdAt), updatedAt: epoch(d.updatedAt), launchType: s.launchType,
    rolloutState: d.rolloutState, rolloutStateReason: d.rolloutStateReason,
  };
}
