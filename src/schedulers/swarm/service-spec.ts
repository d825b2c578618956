import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { taggedName } from '../../core/image.ts';
import type { Release } from '../../core/ports/scheduler.ts';
import { releaseEnv, releaseLabels } from '../release-labels.ts';
import type { SwarmSettings } from './settings.ts';

const SECOND_NS = 1_000_000_000;

/** The name of the Swarm service that runs a (service, environment): `<service>-<environment>`. */
export function serviceName(service: string, environment: string): string {
  return `${service}-${environment}`;
}

/** `repo:tag@sha256:…`: the tag for people, the digest for the engine (it runs exactly that). */
export function pinnedImage(release: Release): string {
  return `${taggedName(release.image)}@${release.image.digest}`;
}

/** A short hash of the block, so a changed port, env or replica count is a new release on the same image. */
export function settingsFingerprint(settings: SwarmSettings): string {
  const { host: _where, ...service } = settings;
  return createHash('sha256').update(JSON.stringify(service)).digest('hex').slice(0, 12);
}

/** How the release's health is checked: by the engine with this command, or by Slipway's own probe. */
export type HealthGate = { readonly by: 'engine'; readonly test?: readonly string[] } | { readonly by: 'slipway' };

export interface SpecFacts {
  readonly release: Release;
  readonly settings: SwarmSettings;
  readonly health: HealthGate;
  /** `start-first` only where the new task can take a node of its own (its port is free there) */
  readonly order: 'start-first' | 'stop-first';
}

/**
 * The whole ServiceSpec of a release (an update sends all of it): the pinned image, the block's
 * env plus `PORT`, the host network (the service binds the port itself; no ingress here), at most
 * one task per node (each binds the same host port), and an update that rolls back on failure:
 * a task that dies, or never turns healthy under the engine's health check, before or within
 * `monitor` seconds of running is a failure, and one failure is enough.
 */
export function serviceSpec({ release, settings, health, order }: SpecFacts): Docker.ServiceSpec {
  const update = { Parallelism: 1, Delay: 0, Monitor: Math.round(settings.monitor * SECOND_NS), MaxFailureRatio: 0, Order: order };
  return {
    Name: serviceName(release.service, release.environment),
    Labels: releaseLabels(release, settingsFingerprint(settings)),
    TaskTemplate: {
      ContainerSpec: {
        Image: pinnedImage(release),
        Env: releaseEnv(settings),
        // docker-init as PID 1 forwards SIGTERM, so a stop-first update does not wait for a kill
        Init: true,
        ...(health.by === 'engine' && health.test ? { HealthCheck: healthCheck(health.test, settings) } : {}),
      },
      Networks: [{ Target: 'host' }],
      Placement: onePerNode(settings, order) ? { MaxReplicas: 1 } : {},
      RestartPolicy: { Condition: 'any', Delay: SECOND_NS },
    },
    Mode: { Replicated: { Replicas: settings.replicas } },
    UpdateConfig: { ...update, FailureAction: 'rollback' },
    RollbackConfig: { ...update, FailureAction: 'pause' },
  };
}

/**
 * Whether to keep two tasks off one node (each binds the same host port): needed with more than
 * one replica, or when a new task starts before the old one stops. Not for one task stopped
 * before its successor starts, which never shares a node, and where the limit would stall a
 * rollback for a minute: the engine's restart supervisor may replace a failed task of the new
 * release just as the rollback begins; the rolled-back service goes back to the lower spec
 * version, so the scheduler neither places that replacement (its node is full) nor shuts it
 * down, and the rollback's task waits for it up to swarmkit's one-minute old-task timeout.
 */
function onePerNode(settings: SwarmSettings, order: SpecFacts['order']): boolean {
  return settings.replicas > 1 || order === 'start-first';
}

function healthCheck(test: readonly string[], settings: SwarmSettings): Docker.HealthConfig {
  return { Test: [...test], Interval: SECOND_NS, Timeout: 2 * SECOND_NS, Retries: 3, StartPeriod: Math.round(settings.start_period * SECOND_NS) };
}
