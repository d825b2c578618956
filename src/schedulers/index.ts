import type Docker from 'dockerode';
import type { Config } from '../config/config.ts';
import type { PreviewPorts } from '../core/ports/preview-ports.ts';
import type { RegistryCredentials } from '../core/ports/registry-credentials.ts';
import type { Scheduler } from '../core/ports/scheduler.ts';
import { createDockerScheduler } from './docker/docker-scheduler.ts';
import type { SchedulerName } from './settings.ts';

/** What a scheduler factory may use; each adapter takes what it needs. */
export interface SchedulerContext {
  readonly docker: Docker;
  /** credentials for SLIPWAY_REGISTRY, asked for before each pull (none: an anonymous registry) */
  readonly registryCredentials?: RegistryCredentials;
  /** the host ports previews hold (the docker adapter's `ports` range) */
  readonly previewPorts?: PreviewPorts;
  readonly nomad: Config['nomad'];
  readonly fleet: Config['fleet'];
  readonly kubernetes: Config['kubernetes'];
  readonly aws: Config['aws'];
}

export type SchedulerFactory = (ctx: SchedulerContext) => Scheduler;

/**
 * Every scheduler adapter, by the name pipelines use. The docker adapter (the default, on the engine
 * the worker builds with) loads at once; the others load at their first deploy, so a worker whose
 * pipelines never name them never loads their clients (the AWS SDK for ecs, client-node for kubernetes).
 */
export const schedulers = {
  docker: (ctx) => createDockerScheduler(ctx.docker, { registryCredentials: ctx.registryCredentials, previewPorts: ctx.previewPorts }),
  fleet: (ctx) => onFirstDeploy(async () => (await import('./fleet/fleet-scheduler.ts')).createFleetScheduler(ctx.fleet)),
  ecs: (ctx) => onFirstDeploy(async () => (await import('./ecs/ecs-scheduler.ts')).createEcsScheduler(ctx.aws)),
  nomad: (ctx) => onFirstDeploy(async () => (await import('./nomad/nomad-scheduler.ts')).createNomadScheduler(ctx.nomad)),
  kubernetes: (ctx) => onFirstDeploy(async () => {
    const { createKubernetesScheduler, kubeConfigFrom } = await import('./kubernetes/kubernetes-scheduler.ts');
    return createKubernetesScheduler(kubeConfigFrom(ctx.kubernetes.kubeconfig));
  }),
  swarm: (ctx) => onFirstDeploy(async () => (await import('./swarm/swarm-scheduler.ts')).createSwarmScheduler(ctx.docker, { registryCredentials: ctx.registryCredentials })),
} as const satisfies Record<SchedulerName, SchedulerFactory>;

/** A scheduler made by `make` when it is first asked to deploy (made again if making it failed). */
function onFirstDeploy(make: () => Promise<Scheduler>): Scheduler {
  let made: Promise<Scheduler> | undefined;
  return {
    async deploy(release, log, options) {
      made ??= make().catch((err: unknown) => {
        made = undefined;
        throw err;
      });
      return (await made).deploy(release, log, options);
    },
  };
}

export function createSchedulers(ctx: SchedulerContext): Record<SchedulerName, Scheduler> {
  return Object.fromEntries(Object.entries(schedulers).map(([name, make]) => [name, make(ctx)])) as Record<SchedulerName, Scheduler>;
}
