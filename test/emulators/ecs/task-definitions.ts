// RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition and their validation.
import { clientError } from './aws-error.ts';
import { epoch, type EcsState, type Json, type TaskDefinitionRecord } from './state.ts';

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const HEALTH_RANGES = { interval: [5, 300], timeout: [2, 120], retries: [1, 10], startPeriod: [0, 300] } as const;

/** Every call registers a new revision, even with identical content. */
export function registerTaskDefinition(state: EcsState, body: Json): Json {
  validate(body);
  const { tags = [], ...definition } = body;
  const revisions = state.taskDefinitions.get(body.family) ?? [];
  const revision = (revisions.at(-1)?.revision ?? 0) + 1;
  const record: TaskDefinitionRecord = {
    arn: state.arn(`task-definition/${body.family}:${revision}`),
    family: body.family,
    revision,
    status: 'ACTIVE',
    body: structuredClone(definition),
    tags: structuredClone(tags),
    registeredAt: Date.now(),
  };
  state.taskDefinitions.set(body.family, [...revisions, record]);
  return { taskDefinition: taskDefinitionView(state, record), tags: record.tags };
}

/** `tags` only with `include: ["TAGS"]`, as ECS does. */
export function describeTaskDefinition(state: EcsState, body: Json): Json {
  const record = typeof body.taskDefinition === 'string' ? state.findTaskDefinition(body.taskDefinition) : undefined;
  if (!record) throw clientError('TaskDefinition not found.');
  const withTags = Array.isArray(body.include) && body.include.includes('TAGS');
  return withTags ? { taskDefinition: taskDefinitionView(state, record), tags: record.tags } : { taskDefinition: taskDefinitionView(state, record) };
}

export function deregisterTaskDefinition(state: EcsState, body: Json): Json {
  const ref = typeof body.taskDefinition === 'string' ? body.taskDefinition : '';
  if (!ref.split('/').pop()?.includes(':')) throw clientError('Invalid revision number. Number: ');
  const record = state.findTaskDefinition(ref);
  if (!record) throw clientError('The specified task definition does not exist.');
  if (record.status === 'ACTIVE') {
    record.status = 'INACTIVE';
    record.deregisteredAt = Date.now();
  }
  return { taskDefinition: taskDefinitionView(state, record) };
}

/** An ACTIVE task definition a service may use, or ClientException. */
export function usableTaskDefinition(state: EcsState, ref: unknown): TaskDefinitionRecord {
  const record = typeof ref === 'string' ? state.findTaskDefinition(ref) : undefined;
  if (!record) throw clientError('TaskDefinition not found.');
  if (record.status !== 'ACTIVE') throw clientError(`TaskDefinition is inactive`);
  return record;
}

/** The TaskDefinition shape: the registered fields plus the read-only ones ECS adds. */
export function taskDefinitionView(state: EcsState, r: TaskDefinitionRecord): Json {
  const fargate = r.body.networkMode === 'awsvpc' && r.body.cpu !== undefined && r.body.memory !== undefined;
  const healthChecked = (r.body.containerDefinitions as Json[]).some((c) => c.healthCheck);
  return {
    taskDefinitionArn: r.arn,
    ...structuredClone(r.body),
    revision: r.revision,
    volumes: r.body.volumes ?? [],
    status: r.status,
    requiresAttributes: healthChecked ? [{ name: 'ecs.capability.container-health-check' }] : [],
    placementConstraints: r.body.placementConstraints ?? [],
    compatibilities: fargate ? ['EC2', 'FARGATE'] : ['EC2'],
    registeredAt: epoch(r.registeredAt),
    registeredBy: `arn:aws:iam::${state.account}:user/slipway-test`,
    ...(r.deregisteredAt !== undefined ? { deregisteredAt: epoch(r.deregisteredAt) } : {}),
  };
}

function validate(body: Json): void {
  if (typeof body.family !== 'string' || body.family === '') throw clientError('Family must not be empty.');
  if (!FAMILY.test(body.family)) throw clientError('Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
  const containers: unknown = body.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) throw clientError('Container list cannot be empty.');
  const fargate = Array.isArray(body.requiresCompatibilities) && body.requiresCompatibilities.includes('FARGATE');
  if (fargate) validateFargate(body);
  const names = new Set<string>();
  for (const c of containers as Json[]) {
    if (typeof c.name !== 'string' || c.name === '') throw clientError('Container.name should not be null or empty.');
    if (names.has(c.name)) throw clientError(`Duplicate container names are not allowed: '${c.name}'.`);
    names.add(c.name);
    if (typeof c.image !== 'string' || c.image === '') throw clientError('Container.image should not be null or empty.');
    if (!fargate && body.memory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
      throw clientError(`Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
    }
    if (c.healthCheck) validateHealthCheck(c.name, c.healthCheck);
  }
}

function validateFargate(body: Json): void {
  if (body.networkMode !== 'awsvpc') throw clientError(`Fargate only supports network mode 'awsvpc'.`);
  if (body.cpu === undefined) throw clientError('Fargate requires that \'cpu\' be defined at the task level.');
  if (body.memory === undefined) throw clientError('Fargate requires that \'memory\' be defined at the task level.');
}

function validateHealthCheck(container: string, check: Json): void {
  const command: unknown = check.command;
  if (!Array.isArray(command) || command.length === 0 || !['CMD', 'CMD-SHELL', 'NONE'].includes(command[0])) {
    throw clientError(`Invalid setting for container '${container}'. healthCheck.command must start with CMD, CMD-SHELL or NONE.`);
  }
  for (const [key, [min, max]] of Object.entries(HEALTH_RANGES)) {
    const value: unknown = check[key];
    if (value !== undefined && (typeof value !== 'number' || value < min || value > max)) {
      throw clientError(`Invalid setting for container '${container}'. healthCheck.${key} must be between ${min} and ${max}.`);
    }
  }
}
