import type { ContainerDefinition, KeyValuePair, RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { SlipwayError } from '../../core/errors.ts';
import { pinnedName } from '../../core/image.ts';
import type { Release } from '../../core/ports/scheduler.ts';
import type { EcsSettings } from './settings.ts';

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not take. */
const READ_ONLY = [
  'taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities',
  'registeredAt', 'registeredBy', 'deregisteredAt', 'deleteRequestedAt',
] as const satisfies readonly (keyof TaskDefinition)[];

/**
 * The container of `taskDefinition` a release replaces: the one `name` names, or the only one.
 * Throws SCHEDULER_REJECTED when there is no such container, or several and no name.
 */
export function targetContainer(taskDefinition: TaskDefinition, name: string | undefined): ContainerDefinition {
  const containers = taskDefinition.containerDefinitions ?? [];
  const label = familyRevision(taskDefinition);
  const names = containers.map((c) => c.name).join(', ');
  if (name !== undefined) {
    const found = containers.find((c) => c.name === name);
    if (!found) throw new SlipwayError('SCHEDULER_REJECTED', `task definition ${label} has no container "${name}" (it has: ${names})`);
    return found;
  }
  if (containers.length === 1) return containers[0]!;
  throw new SlipwayError(
    'SCHEDULER_REJECTED',
    `task definition ${label} has ${containers.length} containers (${names}); set ecs.container to the one to deploy`,
  );
}

/**
 * The next revision of `previous` for `release`: the same task definition, read-only fields
 * stripped and tags kept, with only the target container's image (pinned by digest, never a
 * tag) and its declared `env`, `cpu` and `memory` changed. Pure.
 */
export function nextTaskDefinition(
  previous: TaskDefinition,
  tags: readonly Tag[] | undefined,
  release: Release,
  settings: EcsSettings,
): RegisterTaskDefinitionCommandInput {
  const target = targetContainer(previous, settings.container);
  const copy: Record<string, unknown> = { ...previous };
  for (const key of READ_ONLY) delete copy[key];
  const containerDefinitions = (previous.containerDefinitions ?? []).map((c) => (c === target ? changed(c, release, settings) : c));
  const input = { ...copy, containerDefinitions } as RegisterTaskDefinitionCommandInput;
  return tags && tags.length > 0 ? { ...input, tags: [...tags] } : input;
}

function changed(container: ContainerDefinition, release: Release, settings: EcsSettings): ContainerDefinition {
  const next: ContainerDefinition = { ...container, image: pinnedName(release.image) };
  if (Object.keys(settings.env).length > 0) next.environment = withEnv(container.environment, settings.env);
  if (settings.cpu !== undefined) next.cpu = settings.cpu;
  if (settings.memory !== undefined) next.memory = settings.memory;
  return next;
}

/** Declared variables replace same-named ones in place; new ones are appended in declared order. */
function withEnv(current: readonly KeyValuePair[] = [], env: Readonly<Record<string, string>>): KeyValuePair[] {
  const merged = current.map((pair) => (pair.name !== undefined && Object.hasOwn(env, pair.name) ? { ...pair, value: env[pair.name] } : pair));
  const present = new Set(current.map((pair) => pair.name));
  for (const [name, value] of Object.entries(env)) if (!present.has(name)) merged.push({ name, value });
  return merged;
}

/** `web:42`, the short name ECS shows for a revision (falls back to the ARN). */
export function familyRevision(taskDefinition: TaskDefinition): string {
  const { family, revision, taskDefinitionArn } = taskDefinition;
  return family && revision !== undefined ? `${family}:${revision}` : (taskDefinitionArn ?? 'the task definition');
}
