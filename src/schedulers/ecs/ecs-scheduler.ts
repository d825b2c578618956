import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../../config/config.ts';
import { SlipwayError } from '../../core/errors.ts';
import { pinnedName } from '../../core/image.ts';
import type { Deployment, Scheduler } from '../../core/ports/scheduler.ts';
import { seconds } from '../health-check.ts';
import { parseSettings } from '../parse-settings.ts';
import { createEcsApi } from './ecs-api.ts';
import { ecsError } from './ecs-error.ts';
import { watchDeployment } from './deployment-watch.ts';
import { rollBackIfFailed } from './rollback.ts';
import { settled, withCircuitBreaker, type Before, type Rollout } from './rollout.ts';
import { EcsSettingsSchema } from './settings.ts';
import { familyRevision, nextTaskDefinition, targetContainer } from './task-definition.ts';

/** Tuning of the `ecs` adapter; production uses the defaults, tests shorten them. */
export interface EcsSchedulerOptions {
  /** time between DescribeServices polls while a deployment rolls out; default 5 s */
  readonly pollIntervalMs?: number;
  /** SDK attempts per call (throttling and network retries included); default: the SDK's */
  readonly maxAttempts?: number;
}

/**
 * The `ecs` scheduler: the service already exists. A rollout registers a new revision of the
 * service's current task definition with only the container's image (pinned by digest) and its
 * declared env/resources changed, updates the service to it with the deployment circuit breaker
 * and rollback on, and polls until the deployment that runs our revision is COMPLETED. FAILED,
 * replaced by ECS's rollback, or past the deadline (then Slipway rolls back itself) →
 * `rolled_back` when a COMPLETED deployment existed before, else `failed`; the reason is ECS's
 * own, from the stopped tasks. Region, endpoint and credentials: the AWS SDK's chain.
 */
export function createEcsScheduler(aws: Config['aws'], options: EcsSchedulerOptions = {}): Scheduler {
  const api = createEcsApi({ region: aws.region, endpoint: aws.ecsEndpoint, maxAttempts: options.maxAttempts });
  const intervalMs = options.pollIntervalMs ?? 5_000;
  return {
    async deploy(release, log, { deadlineMs }) {
      try {
        const settings = parseSettings('ecs', EcsSettingsSchema, release.settings);
        return await rollOut({ api, log, release, settings, intervalMs, deadlineMs, seenEvents: new Set() });
      } catch (err) {
        throw ecsError(err, 'deploy');
      }
    },
  };
}

async function rollOut(r: Rollout): Promise<Deployment> {
  const { cluster, service } = r.settings;
  const image = pinnedName(r.release.image);
  const before = await inspect(r);
  const next = nextTaskDefinition(before.taskDefinition, before.tags, r.release, r.settings);
  const current = familyRevision(before.taskDefinition);
  if (settled(before.service) && isDeepStrictEqual(targetContainer(before.taskDefinition, r.settings.container), targetContainer(next, r.settings.container))) {
    // the container would come out the same: image, env and resources are already in place
    r.log.line(`${current} already runs ${image}; nothing to do`);
    return { outcome: 'succeeded', detail: 'already running' };
  }
  const registered = await r.api.register(next);
  const arn = registered.taskDefinitionArn!;
  const label = familyRevision(registered);
  r.log.line(`Registered task definition ${label} (was ${current}) with ${image}`);
  const updated = await r.api.update(cluster, service, arn, withCircuitBreaker(before.service.deploymentConfiguration));
  const id = updated.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === arn)?.id;
  r.log.line(`Updated service ${service} in ${cluster}: deployment ${id ?? '(pending)'} rolls out ${label}`);
  const verdict = await watchDeployment({ ...r, cluster, service, id, taskDefinitionArn: arn, label });
  if (verdict.kind === 'completed') {
    r.log.line(`${label} completed after ${seconds(verdict.afterMs)}`);
    return { outcome: 'succeeded', detail: `${label} completed after ${seconds(verdict.afterMs)}`, previous: before.image };
  }
  return rollBackIfFailed(r, before, { arn, label, verdict });
}

/** DescribeServices, then DescribeTaskDefinition of what the PRIMARY deployment runs. */
async function inspect(r: Rollout): Promise<Before> {
  const service = await r.api.service(r.settings.cluster, r.settings.service);
  for (const event of service.events ?? []) if (event.id) r.seenEvents.add(event.id);
  const deployments = service.deployments ?? [];
  const currentArn = deployments.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
  if (!currentArn) throw new SlipwayError('SCHEDULER_REJECTED', `ECS service ${r.settings.service} has no task definition`);
  const { taskDefinition, tags } = await r.api.taskDefinition(currentArn);
  const image = targetContainer(taskDefinition, r.settings.container).image;
  const steady = settled(service);
  r.log.line(`ECS service ${r.settings.service} in ${r.settings.cluster} ${steady ? 'runs' : 'is rolling out'} ${familyRevision(taskDefinition)} (${image ?? 'no image'})`);
  const stable = deployments.find((d) => d.rolloutState === 'COMPLETED')?.taskDefinition ?? (steady ? currentArn : undefined);
  return { service, taskDefinition, tags, image: steady ? image : undefined, stable };
}
