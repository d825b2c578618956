import type Docker from 'dockerode';
import type { Config } from '../config/config.ts';
import type { RegistryCredentials } from '../core/ports/registry-credentials.ts';
import type { Scheduler } from '../core/ports/scheduler.ts';
import { createDockerScheduler } from './docker/docker-scheduler.ts';
import { createFleetScheduler } from './fleet/fleet-scheduler.ts';
import { createEcsScheduler } from './ecs/ecs-scheduler.ts';
import { createNomadScheduler } from './nomad/nomad-scheduler.ts';
import type { SchedulerName } from './settings.ts';

/** What a scheduler factory may use; each adapter takes what it needs. */
export interface SchedulerContext {
  readonly docker: Docker;
  /** credentials for SLIPWAY_REGISTRY, asked for before each pull (none: an anonymous registry) */
  readonly registryCredentials?: RegistryCredentials;
  readonly nomad: Config['nomad'];
  readonly fleet: Config['fleet'];
  readonly aws: Config['aws'];
}

export type SchedulerFactory = (ctx: SchedulerContext) => Scheduler;

/** Every scheduler adapter, by the name pipelines use. */
export const schedulers = {
  docker: (ctx) => createDockerScheduler(ctx.docker, { registryCredentials: ctx.registryCredentials }),
  fleet: (ctx) => createFleetScheduler(ctx.fleet),
  ecs: (ctx) => createEcsScheduler(ctx.aws),
  nomad: (ctx) => createNomadScheduler(ctx.nomad),
} as const satisfies Record<SchedulerName, SchedulerFactory>;

export function createSchedulers(ctx: SchedulerContext): Record<SchedulerName, Scheduler> {
  return Object.fromEntries(Object.entries(schedulers).map(([name, make]) => [name, make(ctx)])) as Record<SchedulerName, Scheduler>;
}
