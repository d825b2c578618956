import {
  DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand,
  RegisterTaskDefinitionCommand, UpdateServiceCommand,
  type DeploymentConfiguration, type RegisterTaskDefinitionCommandInput, type Service, type Tag, type Task, type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { SlipwayError } from '../../core/errors.ts';
import { ecsError } from './ecs-error.ts';

/** Where the ECS API is and how hard the SDK tries: region and endpoint as the AWS SDK reads them. */
export interface EcsConnection {
  readonly region?: string;
  readonly endpoint?: string;
  /** SDK attempts per call, retries of throttling and network errors included; default: the SDK's (3) */
  readonly maxAttempts?: number;
}

/**
 * The few ECS calls a rollout makes, typed and with errors already mapped to the scheduler
 * port's codes (see ecsError). Credentials come from the SDK's default chain.
 */
export interface EcsApi {
  /** the ACTIVE service; a missing (MISSING) or deleted one is SCHEDULER_REJECTED */
  service(cluster: string, service: string): Promise<Service>;
  taskDefinition(arn: string): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] }>;
  register(input: RegisterTaskDefinitionCommandInput): Promise<TaskDefinition>;
  update(cluster: string, service: string, taskDefinition: string, deploymentConfiguration: DeploymentConfiguration): Promise<Service>;
  /** the service's stopped tasks (ECS keeps them visible for about an hour), up to 100 */
  stoppedTasks(cluster: string, service: string): Promise<Task[]>;
}

/**
 * The ECS calls of one connection. The SDK client is made at the first call, so a Slipway with no
 * `ecs` pipeline never builds one (nor sees the SDK's start-up warnings).
 */
export function createEcsApi(connection: EcsConnection): EcsApi {
  let made: ECSClient | undefined;
  const config = definedOnly({ region: connection.region, endpoint: connection.endpoint, maxAttempts: connection.maxAttempts });
  const call = async <T>(operation: string, run: (client: ECSClient) => Promise<T>): Promise<T> => {
    try {
      made ??= new ECSClient(config);
      return await run(made);
    } catch (err) {
      throw ecsError(err, operation);
    }
  };
  return {
    service: (cluster, service) => call('DescribeServices', async (client) => {
      const out = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
      const found = out.services?.[0];
      if (!found) {
        const reason = out.failures?.[0]?.reason ?? 'MISSING';
        throw new SlipwayError('SCHEDULER_REJECTED', `ECS has no service "${service}" in cluster "${cluster}" (${reason}); create it first`);
      }
      if (found.status !== 'ACTIVE') throw new SlipwayError('SCHEDULER_REJECTED', `ECS service "${service}" in cluster "${cluster}" is ${found.status}, not ACTIVE`);
      return found;
    }),
    taskDefinition: (arn) => call('DescribeTaskDefinition', async (client) => {
      const out = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
      if (!out.taskDefinition) throw new SlipwayError('SCHEDULER_REJECTED', `ECS returned no task definition for ${arn}`);
      return { taskDefinition: out.taskDefinition, tags: out.tags ?? [] };
    }),
    register: (input) => call('RegisterTaskDefinition', async (client) => {
      const out = await client.send(new RegisterTaskDefinitionCommand(input));
      if (!out.taskDefinition?.taskDefinitionArn) throw new SlipwayError('SCHEDULER_REJECTED', 'ECS registered no task definition');
      return out.taskDefinition;
    }),
    update: (cluster, service, taskDefinition, deploymentConfiguration) => call('UpdateService', async (client) => {
      const out = await client.send(new UpdateServiceCommand({ cluster, service, taskDefinition, deploymentConfiguration }));
      if (!out.service) throw new SlipwayError('SCHEDULER_REJECTED', `ECS returned no service for ${service}`);
      return out.service;
    }),
    async stoppedTasks(cluster, service) {
      const list = await call('ListTasks', (client) => client.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED', maxResults: 100 })));
      const arns = list.taskArns ?? [];
      if (arns.length === 0) return [];
      return (await call('DescribeTasks', (client) => client.send(new DescribeTasksCommand({ cluster, tasks: arns })))).tasks ?? [];
    },
  };
}

/** The SDK falls back to its own chain only for keys that are absent, so leave unset ones out. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
