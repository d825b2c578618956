/**
 * The ECS emulator, spoken to by the real @aws-sdk/client-ecs and by raw HTTP: the protocol's
 * rejections, task definition validation, service errors, and the deployment state machine with
 * tasks that really run in the test Docker engine from images in the test registry.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateServiceCommand, DeregisterTaskDefinitionCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand,
  ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { pinnedName, type PushedImage } from '../../src/core/image.ts';
import { testEnv } from '../support/env.ts';
import { missingImage, publishSite } from '../support/images.ts';
import { startEcsEmulator, type EcsEmulator } from './ecs.ts';
import { failureThreshold } from './ecs/deployments.ts';
import { siteTaskDefinition } from './ecs/site-task.ts';
import { until } from '../support/until.ts';

const TIME_SCALE = 0.05;
const AUTH = 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00';

const siteTask = (family: string, image: string) => siteTaskDefinition(family, image) as any;

async function rejection(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  const err = await p.then(() => assert.fail('expected an error'), (e: any) => e);
  return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
}

describe('ECS emulator: protocol and validation', () => {
  let ecs: EcsEmulator;
  let client: ECSClient;
  const raw = (headers: Record<string, string>, body = '{}') =>
    fetch(ecs.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', ...headers }, body });

  before(async () => {
    ecs = await startEcsEmulator({ dockerHost: testEnv().dockerHost, timeScale: TIME_SCALE });
    client = new ECSClient({ region: 'us-east-1', endpoint: ecs.url, maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  after(async () => ecs?.close());

  it('refuses a request without a SigV4 Authorization header, and names every answer with x-amzn-RequestId', async () => {
    const res = await raw({ 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DescribeServices' });
    assert.equal(res.status, 400);
    assert.ok(res.headers.get('x-amzn-requestid'));
    assert.deepEqual(await res.json(), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('answers an unknown X-Amz-Target with UnknownOperationException', async () => {
    const res = await raw({ authorization: AUTH, 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.LaunchRockets' });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).__type, 'UnknownOperationException');
  });

  it('validates task definitions the way ECS does (ClientException)', async () => {
    const cases: [string, Record<string, any>, RegExp][] = [
      ['no family', { containerDefinitions: [{ name: 'a', image: 'x/y:1', memory: 6 }] }, /Family/],
      ['no containers', { family: 'f', containerDefinitions: [] }, /Container list cannot be empty/],
      ['no image', { family: 'f', containerDefinitions: [{ name: 'a', memory: 6 }] }, /Container.image/],
      ['no name', { family: 'f', containerDefinitions: [{ image: 'x/y:1', memory: 6 }] }, /Container.name/],
      ['EC2 without memory', { family: 'f', containerDefinitions: [{ name: 'web', image: 'x/y:1' }] }, /Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified./],
      ['Fargate not awsvpc', { family: 'f', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', containerDefinitions: [{ name: 'a', image: 'x/y:1' }] }, /awsvpc/],
      ['Fargate without task cpu', { family: 'f', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', memory: '512', containerDefinitions: [{ name: 'a', image: 'x/y:1' }] }, /cpu/],
      ['health check interval too short', { family: 'f', containerDefinitions: [{ name: 'a', image: 'x/y:1', memory: 6, healthCheck: { command: ['CMD', 'true'], interval: 1 } }] }, /interval must be between 5 and 300/],
    ];
    for (const [what, input, message] of cases) {
      const err = await rejection(client.send(new RegisterTaskDefinitionCommand(input as any)));
      assert.equal(err.name, 'ClientException', what);
      assert.match(err.message, message, what);
      assert.equal(err.status, 400);
    }
  });

  it('registers a new revision on every call; describes by family, family:revision or ARN; tags only on request; deregisters', async () => {
    const input = { ...siteTask('rev', 'r.example/rev:1'), tags: [{ key: 'team', value: 'web' }] };
    const one = (await client.send(new RegisterTaskDefinitionCommand(input))).taskDefinition!;
    const two = (await client.send(new RegisterTaskDefinitionCommand(input))).taskDefinition!;
    assert.deepEqual([one.revision, two.revision], [1, 2]);
    assert.equal(two.taskDefinitionArn, 'arn:aws:ecs:us-east-1:123456789012:task-definition/rev:2');
    assert.equal(two.status, 'ACTIVE');
    assert.ok(two.registeredAt instanceof Date);
    assert.deepEqual(two.compatibilities, ['EC2']);
    for (const ref of ['rev', 'rev:2', two.taskDefinitionArn!]) {
      assert.equal((await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }))).taskDefinition?.revision, 2, ref);
    }
    assert.equal((await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'rev:1' }))).tags, undefined);
    assert.deepEqual((await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'rev:1', include: ['TAGS'] }))).tags, [{ key: 'team', value: 'web' }]);
    const gone = await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'rev:2' }));
    assert.equal(gone.taskDefinition?.status, 'INACTIVE');
    assert.ok(gone.taskDefinition?.deregisteredAt instanceof Date);
    assert.equal((await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'rev' }))).taskDefinition?.revision, 1);
    const missing = await rejection(client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:7' })));
    assert.deepEqual([missing.name, missing.message], ['ClientException', 'TaskDefinition not found.']);
  });

  it('service errors: unknown cluster, MISSING services, more than 10, unknown service, non-idempotent create, bad task filters', async () => {
    const cluster = await rejection(client.send(new DescribeServicesCommand({ cluster: 'nowhere', services: ['web'] })));
    assert.deepEqual([cluster.name, cluster.message], ['ClusterNotFoundException', 'Cluster not found.']);
    await ecs.seedService({ cluster: 'errors', service: 'idle', taskDefinition: siteTask('idle', 'r.example/idle:1'), desiredCount: 0 });
    const described = await client.send(new DescribeServicesCommand({ cluster: 'errors', services: ['idle', 'nope'] }));
    assert.deepEqual(described.services?.map((s) => s.serviceName), ['idle']);
    assert.deepEqual(described.failures, [{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/errors/nope', reason: 'MISSING' }]);
    const eleven = await rejection(client.send(new DescribeServicesCommand({ cluster: 'errors', services: Array.from({ length: 11 }, (_, i) => `s${i}`) })));
    assert.equal(eleven.name, 'InvalidParameterException');
    const update = await rejection(client.send(new UpdateServiceCommand({ cluster: 'errors', service: 'nope', taskDefinition: 'idle:1' })));
    assert.deepEqual([update.name, update.message], ['ServiceNotFoundException', 'Service not found.']);
    const again = await rejection(client.send(new CreateServiceCommand({ cluster: 'errors', serviceName: 'idle', taskDefinition: 'idle:1', desiredCount: 5 })));
    assert.deepEqual([again.name, again.message], ['InvalidParameterException', 'Creation of service was not idempotent.']);
    const filters = await rejection(client.send(new ListTasksCommand({ cluster: 'errors', serviceName: 'idle', startedBy: 'me' })));
    assert.equal(filters.name, 'InvalidParameterException');
    const empty = await rejection(client.send(new DescribeTasksCommand({ cluster: 'errors', tasks: [] })));
    assert.deepEqual([empty.name, empty.message], ['InvalidParameterException', 'Tasks cannot be empty.']);
  });

  it('failNext: the next call of one operation fails with the given error, then calls succeed again', async () => {
    ecs.failNext('DescribeServices', 'ThrottlingException', 'Rate exceeded');
    ecs.failNext('DescribeServices', 'ServerException', 'Service unavailable');
    const throttled = await rejection(client.send(new DescribeServicesCommand({ cluster: 'errors', services: ['idle'] })));
    assert.deepEqual([throttled.name, throttled.message, throttled.status], ['ThrottlingException', 'Rate exceeded', 400]);
    const server = await rejection(client.send(new DescribeServicesCommand({ cluster: 'errors', services: ['idle'] })));
    assert.deepEqual([server.name, server.status], ['ServerException', 500]);
    assert.equal((await client.send(new DescribeServicesCommand({ cluster: 'errors', services: ['idle'] }))).services?.length, 1);
    assert.ok(ecs.requests.filter((r) => r.operation === 'DescribeServices').length >= 3);
  });

  it('circuit breaker threshold: 0.5 × desired count, clamped to [3, 200]', () => {
    assert.deepEqual([1, 6, 7, 10, 400, 1000].map(failureThreshold), [3, 3, 4, 5, 200, 200]);
  });
});

describe('ECS emulator: services run in Docker', { timeout: 180_000 }, () => {
  let ecs: EcsEmulator;
  let client: ECSClient;
  const repo = `ecs-emu-${randomBytes(3).toString('hex')}`;
  const images = {} as Record<'one' | 'two' | 'silent', PushedImage>;
  let firstArn = '';

  const register = async (image: string) => (await client.send(new RegisterTaskDefinitionCommand(siteTask('site', image)))).taskDefinition!.taskDefinitionArn!;
  const update = (taskDefinition: string) => client.send(new UpdateServiceCommand({
    cluster: 'web', service: 'site', taskDefinition, deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
  }));
  const page = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/index.html`)).text()).trim();

  before(async () => {
    ecs = await startEcsEmulator({ dockerHost: testEnv().dockerHost, timeScale: TIME_SCALE });
    client = new ECSClient({ region: 'us-east-1', endpoint: ecs.url, maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    images.one = await publishSite(repo, 'version one');
    images.two = await publishSite(repo, 'version two');
    images.silent = await publishSite(repo, 'never answers', { healthy: false });
  });
  after(async () => ecs?.close());

  it('a new service: its task runs the pinned image in Docker, passes its health check, and the deployment COMPLETES', async () => {
    firstArn = (await ecs.seedService({ cluster: 'web', service: 'site', taskDefinition: siteTask('site', pinnedName(images.one)) })).taskDefinitionArn;
    assert.equal(ecs.runningImage('web', 'site'), images.one.digest);
    const [task] = ecs.tasks('web', 'site');
    assert.equal(await page(task!.port), 'version one');
    const service = (await client.send(new DescribeServicesCommand({ cluster: 'web', services: ['site'] }))).services![0]!;
    assert.deepEqual([service.runningCount, service.desiredCount, service.deployments?.length], [1, 1, 1]);
    assert.deepEqual([service.deployments![0]!.status, service.deployments![0]!.rolloutState], ['PRIMARY', 'COMPLETED']);
    assert.ok(service.events?.some((e) => e.message === '(service site) has reached a steady state.'));
    const running = await client.send(new ListTasksCommand({ cluster: 'web', serviceName: 'site' }));
    const described = await client.send(new DescribeTasksCommand({ cluster: 'web', tasks: running.taskArns! }));
    assert.deepEqual([described.tasks![0]!.lastStatus, described.tasks![0]!.healthStatus, described.tasks![0]!.containers![0]!.image], ['RUNNING', 'HEALTHY', pinnedName(images.one)]);
  });

  it('UpdateService with a new task definition: a PRIMARY IN_PROGRESS deployment beside the ACTIVE one, then COMPLETED with the old task stopped', async () => {
    const arn = await register(pinnedName(images.two));
    const updated = (await update(arn)).service!;
    assert.deepEqual(updated.deployments?.map((d) => [d.status, d.taskDefinition, d.rolloutState]), [['PRIMARY', arn, 'IN_PROGRESS'], ['ACTIVE', firstArn, 'COMPLETED']]);
    const again = (await client.send(new UpdateServiceCommand({ cluster: 'web', service: 'site', taskDefinition: arn }))).service!;
    assert.equal(again.deployments?.length, 2, 're-sending the same task definition starts no deployment');
    await ecs.waitForSteadyState('web', 'site');
    assert.equal(ecs.runningImage('web', 'site'), images.two.digest);
    const stopped = await client.send(new ListTasksCommand({ cluster: 'web', serviceName: 'site', desiredStatus: 'STOPPED' }));
    const old = (await client.send(new DescribeTasksCommand({ cluster: 'web', tasks: stopped.taskArns! }))).tasks!;
    assert.deepEqual(old.map((t) => [t.taskDefinitionArn, t.stopCode]), [[firstArn, 'ServiceSchedulerInitiated']]);
  });

  it('an image the registry does not have: tasks fail to start (CannotPullContainerError), the circuit breaker trips after 3, ECS rolls back', async () => {
    const before = ecs.service('web', 'site')!.taskDefinition;
    const arn = await register(pinnedName(missingImage(repo)));
    await update(arn);
    await until('the deployment FAILED', () => ecs.service('web', 'site')!.deployments.find((d) => d.taskDefinition === arn)?.rolloutState === 'FAILED', 20_000);
    const service = (await client.send(new DescribeServicesCommand({ cluster: 'web', services: ['site'] }))).services![0]!;
    const [primary, failed] = service.deployments!;
    assert.deepEqual([primary!.status, primary!.taskDefinition, primary!.rolloutState], ['PRIMARY', before, 'IN_PROGRESS']);
    assert.deepEqual([failed!.status, failed!.rolloutState, failed!.failedTasks], ['ACTIVE', 'FAILED', 3]);
    assert.match(failed!.rolloutStateReason ?? '', /circuit breaker/);
    const stopped = await client.send(new ListTasksCommand({ cluster: 'web', serviceName: 'site', desiredStatus: 'STOPPED' }));
    const tasks = (await client.send(new DescribeTasksCommand({ cluster: 'web', tasks: stopped.taskArns! }))).tasks!.filter((t) => t.taskDefinitionArn === arn);
    assert.equal(tasks.length, 3);
    for (const t of tasks) {
      assert.equal(t.stopCode, 'TaskFailedToStart');
      assert.match(t.stoppedReason ?? '', /^CannotPullContainerError: .*manifest unknown$/);
    }
    await ecs.waitForSteadyState('web', 'site');
    assert.equal(ecs.runningImage('web', 'site'), images.two.digest);
  });

  it('a release that never answers: tasks fail their container health checks, and ECS rolls back', async () => {
    const arn = await register(pinnedName(images.silent));
    await update(arn);
    await until('the deployment FAILED', () => ecs.service('web', 'site')!.deployments.find((d) => d.taskDefinition === arn)?.rolloutState === 'FAILED', 20_000);
    const reasons = new Set(ecs.tasks('web', 'site').filter((t) => t.taskDefinitionArn === arn).map((t) => t.stoppedReason));
    assert.deepEqual([...reasons], ['Task failed container health checks']);
    await ecs.waitForSteadyState('web', 'site');
    assert.equal(ecs.runningImage('web', 'site'), images.two.digest);
  });

  it('with no COMPLETED deployment to go back to, a failed deployment stalls: FAILED, no rollback, nothing more launched', async () => {
    await ecs.seedService({
      cluster: 'web', service: 'stuck', taskDefinition: siteTask('stuck', pinnedName(missingImage(repo))), wait: false,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    await until('the stuck deployment FAILED', () => ecs.service('web', 'stuck')!.deployments[0]!.rolloutState === 'FAILED', 20_000);
    const failedAt = ecs.ticks();
    await until('three more scheduler runs', () => ecs.ticks() >= failedAt + 3, 20_000); // the scheduler has looked at the failed service twice more, at least
    const service = ecs.service('web', 'stuck')!;
    assert.equal(service.deployments.length, 1);
    assert.equal(ecs.tasks('web', 'stuck').length, 3);
    assert.equal(ecs.runningImage('web', 'stuck'), undefined);
  });
});

