import type { DeploymentConfiguration, Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import type { LogSink } from '../../core/ports/build-log.ts';
import type { Release } from '../../core/ports/scheduler.ts';
import type { EcsApi } from './ecs-api.ts';
import type { EcsSettings } from './settings.ts';

/** One rollout's fixed facts, handed from step to step. */
export interface Rollout {
  readonly api: EcsApi;
  readonly log: LogSink;
  readonly release: Release;
  readonly settings: EcsSettings;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  /** service events already in the log (or there before the rollout) */
  readonly seenEvents: Set<string>;
}

/** The service as the rollout found it. */
export interface Before {
  readonly service: Service;
  readonly taskDefinition: TaskDefinition;
  readonly tags: Tag[];
  /** the image the target container ran, when the service was at steady state */
  readonly image?: string;
  /** task definition of the most recent COMPLETED deployment: what a rollback goes back to */
  readonly stable?: string;
}

/** The PRIMARY deployment reached steady state (or, without a rollout state, is alone and full). */
export function settled(service: Service): boolean {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return false;
  if (primary.rolloutState !== undefined) return primary.rolloutState === 'COMPLETED';
  return deployments.length === 1 && primary.runningCount === primary.desiredCount;
}

/** The service's deployment configuration with the circuit breaker and its rollback switched on. */
export function withCircuitBreaker(current: DeploymentConfiguration | undefined): DeploymentConfiguration {
  return { ...current, deploymentCircuitBreaker: { enable: true, rollback: true } };
}
