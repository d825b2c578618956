// The ECS emulator's in-memory model: clusters, services and their deployments, tasks, and
// task definition revisions. Times are epoch milliseconds here; the API shows epoch seconds.
import { randomBytes, randomInt } from 'node:crypto';
import { AwsError } from './aws-error.ts';

export type Json = Record<string, any>;

export interface TaskDefinitionRecord {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  /** the RegisterTaskDefinition request, without `tags` */
  readonly body: Json;
  readonly tags: { key: string; value: string }[];
  readonly registeredAt: number;
  deregisteredAt?: number;
}

export interface CircuitBreaker {
  readonly enable: boolean;
  readonly rollback: boolean;
}

export interface DeploymentRecord {
  readonly id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  readonly taskDefinition: string;
  desiredCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  readonly circuitBreaker: CircuitBreaker;
  readonly createdAt: number;
  updatedAt: number;
}

export interface ContainerRecord {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly hasHealthCheck: boolean;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  exitCode?: number;
  reason?: string;
  /** the Docker container that runs it */
  dockerId?: string;
}

export interface TaskRecord {
  readonly arn: string;
  readonly id: string;
  readonly cluster: string;
  readonly service: string;
  /** the deployment that started it (ECS's `startedBy`) */
  readonly deploymentId: string;
  readonly taskDefinitionArn: string;
  /** PORT given to its containers: a free port picked per task (host network) */
  port: number;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  containers: ContainerRecord[];
  stopCode?: string;
  stoppedReason?: string;
  readonly createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
}

export interface ServiceEvent {
  readonly id: string;
  readonly createdAt: number;
  readonly message: string;
}

export interface ServiceRecord {
  readonly arn: string;
  readonly name: string;
  readonly cluster: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: string;
  readonly launchType: string;
  deploymentConfiguration: Json;
  /** newest first; the first one is PRIMARY */
  deployments: DeploymentRecord[];
  /** newest first, at most 100 */
  events: ServiceEvent[];
  /** the task definition and id of the most recent COMPLETED deployment: what a rollback restores */
  lastCompleted?: { id: string; taskDefinition: string };
  /** the CreateService request, for its idempotency check */
  readonly request: Json;
  readonly createdAt: number;
}

export interface ClusterRecord {
  readonly name: string;
  readonly arn: string;
  readonly services: Map<string, ServiceRecord>;
  readonly tasks: Map<string, TaskRecord>;
}

/** Everything the emulator knows, with the naming rules of ARNs and ids. */
export class EcsState {
  readonly clusters = new Map<string, ClusterRecord>();
  readonly taskDefinitions = new Map<string, TaskDefinitionRecord[]>();

  constructor(readonly region: string, readonly account: string) {}

  arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:${resource}`;
  }

  /** The cluster a request names (name or ARN; `default` when absent), or ClusterNotFoundException. */
  cluster(ref: unknown): ClusterRecord {
    const name = typeof ref === 'string' && ref !== '' ? (ref.startsWith('arn:') ? ref.split('/').pop()! : ref) : 'default';
    const cluster = this.clusters.get(name);
    if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  createCluster(name: string): ClusterRecord {
    let cluster = this.clusters.get(name);
    if (!cluster) {
      cluster = { name, arn: this.arn(`cluster/${name}`), services: new Map(), tasks: new Map() };
      this.clusters.set(name, cluster);
    }
    return cluster;
  }

  /** A service of `cluster` by name or ARN, whatever its status; undefined when it never existed. */
  findService(cluster: ClusterRecord, ref: string): ServiceRecord | undefined {
    return cluster.services.get(ref.startsWith('arn:') ? ref.split('/').pop()! : ref);
  }

  serviceArn(cluster: ClusterRecord, name: string): string {
    return this.arn(`service/${cluster.name}/${name}`);
  }

  /** A task definition by `family`, `family:revision` or ARN (any status), or undefined. */
  findTaskDefinition(ref: string): TaskDefinitionRecord | undefined {
    const short = ref.startsWith('arn:') ? ref.split('/').pop()! : ref;
    const [family, revision] = short.split(':');
    const revisions = this.taskDefinitions.get(family ?? '') ?? [];
    if (revision === undefined) return revisions.filter((r) => r.status === 'ACTIVE').at(-1);
    return revisions.find((r) => r.revision === Number(revision));
  }

  newDeploymentId(): string {
    return `ecs-svc/${randomInt(1e9, 1e10 - 1)}${randomInt(1e8, 1e9 - 1)}`;
  }

  newTaskId(): string {
    return randomBytes(16).toString('hex');
  }
}

/** Epoch milliseconds → the epoch seconds (fractional) AWS JSON protocols use. */
export const epoch = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);
