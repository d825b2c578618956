// Local emulator of the AWS ECS control plane (reference: shared/reference/apis.md §6), spoken to
// by the real @aws-sdk/client-ecs: AWS JSON 1.1 over POST /, `X-Amz-Target:
// AmazonEC2ContainerServiceV20141113.<Operation>`, a SigV4-shaped Authorization header (not
// verified), `x-amzn-RequestId` on every answer, errors as `{"__type","message"}` (400; 500 for
// ServerException). Services really run: each task resolves its image in the real local registry
// and runs in the real test Docker engine (host network, PORT = a free port per task). Health is
// the task definition's `healthCheck`, run by Docker as the container's HEALTHCHECK — the same
// thing the ECS agent does — so no test-side HTTP probe is involved. `timeScale` shrinks every
// ECS duration (health-check interval/timeout/start period, stop timeout) but no rule: the
// circuit breaker's threshold stays 0.5 × desired, clamped to [3, 200].
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { AwsError } from './ecs/aws-error.ts';
import { Controller } from './ecs/controller.ts';
import { createCluster, createService, describeServices, updateService } from './ecs/services.ts';
import { EcsState, type Json, type ServiceRecord, type TaskRecord } from './ecs/state.ts';
import { TaskRunner } from './ecs/task-runner.ts';
import { deregisterTaskDefinition, describeTaskDefinition, registerTaskDefinition } from './ecs/task-definitions.ts';
import { describeTasks, isHealthyRunning, listTasks } from './ecs/tasks.ts';
import { listen, sendJson } from './http-util.ts';

export type { ServiceRecord, TaskRecord } from './ecs/state.ts';

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

const OPERATIONS: Record<string, (state: EcsState, body: Json) => Json> = {
  CreateCluster: createCluster,
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  CreateService: createService,
  UpdateService: updateService,
  DescribeServices: describeServices,
  ListTasks: listTasks,
  DescribeTasks: describeTasks,
};

export interface EcsEmulatorOptions {
  /** the test Docker engine tasks run in (`testEnv().dockerHost`) */
  readonly dockerHost: string;
  /** real seconds per ECS second for health checks and stop timeouts; default 1, tests ~0.05 */
  readonly timeScale?: number;
  /** how often the service scheduler runs; default 100 ms */
  readonly tickMs?: number;
  readonly region?: string;
  readonly account?: string;
}

/** What a test seeds: the service the `ecs` adapter expects to exist. */
export interface SeedService {
  readonly cluster: string;
  readonly service: string;
  /** a RegisterTaskDefinition request */
  readonly taskDefinition: Json;
  readonly desiredCount?: number;
  readonly deploymentConfiguration?: Json;
  /** wait until the first deployment is COMPLETED; default true */
  readonly wait?: boolean;
}

export interface EcsEmulator {
  readonly url: string;
  readonly region: string;
  /** every API call received, in order */
  readonly requests: { operation: string; body: Json; at: number }[];
  /** CreateCluster + RegisterTaskDefinition + CreateService, as an operator would have done */
  seedService(seed: SeedService): Promise<{ taskDefinitionArn: string; serviceArn: string }>;
  /** resolves once the service's PRIMARY deployment is COMPLETED; rejects if it FAILED or time ran out */
  waitForSteadyState(cluster: string, service: string, timeoutMs?: number): Promise<void>;
  /** digest of the image the service's healthy running tasks run (`a,b` if they differ), if any */
  runningImage(cluster: string, service: string, container?: string): string | undefined;
  service(cluster: string, service: string): ServiceRecord | undefined;
  tasks(cluster: string, service: string): TaskRecord[];
  /** how many times the service scheduler has run to the end: wait for it to grow to see it act (or not) again */
  ticks(): number;
  /** the next call of `operation` fails with this error (500 for ServerException, else 400) */
  failNext(operation: string, type: string, message: string): void;
  close(): Promise<void>;
}

export async function startEcsEmulator(options: EcsEmulatorOptions): Promise<EcsEmulator> {
  const state = new EcsState(options.region ?? 'us-east-1', options.account ?? '123456789012');
  const emulatorId = randomUUID();
  const runner = new TaskRunner(createDockerClient(options.dockerHost), options.timeScale ?? 1);
  const controller = new Controller(state, runner, { tickMs: options.tickMs ?? 100, labels: { 'slipway.ecs-emulator': emulatorId } });
  const requests: EcsEmulator['requests'] = [];
  const failures = new Map<string, AwsError[]>();

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const headers = { 'x-amzn-RequestId': randomUUID() };
    const fail = (err: AwsError) => sendJson(res, err.status, { __type: err.type, message: err.message }, headers);
    try {
      const operation = authorize(req);
      const body = parseBody(req, raw);
      requests.push({ operation, body, at: Date.now() });
      const injected = failures.get(operation)?.shift();
      if (injected) throw injected;
      sendJson(res, 200, OPERATIONS[operation]!(state, body), headers);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      fail(err);
    }
  }

  const srv = await listen(handle);
  controller.start();
  const api = (operation: string, body: Json) => OPERATIONS[operation]!(state, body);
  const emulator: EcsEmulator = {
    url: `http://127.0.0.1:${srv.port}`,
    region: state.region,
    requests,
    async seedService(seed) {
      api('CreateCluster', { clusterName: seed.cluster });
      const registered = api('RegisterTaskDefinition', seed.taskDefinition);
      const created = api('CreateService', {
        cluster: seed.cluster, serviceName: seed.service, taskDefinition: registered.taskDefinition.taskDefinitionArn,
        desiredCount: seed.desiredCount ?? 1, launchType: 'EC2', deploymentConfiguration: seed.deploymentConfiguration,
      });
      if (seed.wait !== false) await emulator.waitForSteadyState(seed.cluster, seed.service);
      return { taskDefinitionArn: registered.taskDefinition.taskDefinitionArn, serviceArn: created.service.serviceArn };
    },
    waitForSteadyState: (cluster, service, timeoutMs = 30_000) => steadyState(emulator, cluster, service, timeoutMs),
    runningImage(cluster, service, container) {
      const digests = new Set(emulator.tasks(cluster, service).filter(isHealthyRunning).map((t) => {
        const c = container ? t.containers.find((x) => x.name === container) : t.containers.find((x) => x.essential);
        return c?.image.split('@')[1] ?? c?.image ?? '';
      }));
      return digests.size === 0 ? undefined : [...digests].sort().join(',');
    },
    service: (cluster, service) => state.clusters.get(cluster)?.services.get(service),
    tasks: (cluster, service) => [...(state.clusters.get(cluster)?.tasks.values() ?? [])].filter((t) => t.service === service),
    ticks: () => controller.ticks,
    failNext(operation, type, message) {
      failures.set(operation, [...(failures.get(operation) ?? []), new AwsError(type, message)]);
    },
    async close() {
      await controller.stop();
      await runner.removeAll(`slipway.ecs-emulator=${emulatorId}`);
      await srv.close();
    },
  };
  return emulator;
}

/** The operation an authorized request names; rejects what ECS would reject before reading it. */
function authorize(req: IncomingMessage): string {
  if (!(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
    throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (req.method !== 'POST' || (req.url ?? '/') !== '/' || !Object.hasOwn(OPERATIONS, operation)) {
    throw new AwsError('UnknownOperationException', target ? `Unknown operation ${target}` : 'Missing X-Amz-Target');
  }
  return operation;
}

function parseBody(req: IncomingMessage, raw: string): Json {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
    throw new AwsError('SerializationException', 'Content-Type must be application/x-amz-json-1.1');
  }
  try {
    const body: unknown = raw === '' ? {} : JSON.parse(raw);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    return body as Json;
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
}

async function steadyState(emulator: EcsEmulator, cluster: string, service: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const primary = emulator.service(cluster, service)?.deployments[0];
    if (primary?.rolloutState === 'COMPLETED') return;
    const stopped = emulator.tasks(cluster, service).filter((t) => t.stoppedReason).map((t) => `${t.stopCode}: ${t.stoppedReason}`);
    if (primary?.rolloutState === 'FAILED' || Date.now() > until) {
      throw new Error(`${service} in ${cluster} did not reach a steady state (${primary?.rolloutState ?? 'no deployment'}); stopped tasks: ${stopped.join(' | ') || 'none'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
