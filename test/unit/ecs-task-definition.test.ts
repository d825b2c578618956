import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { EcsSettingsSchema } from '../../src/schedulers/ecs/settings.ts';
import { familyRevision, nextTaskDefinition, targetContainer } from '../../src/schedulers/ecs/task-definition.ts';

const GOLDEN = new URL('../golden/ecs-task-definition.json', import.meta.url);
const DIGEST = `sha256:4f1c${'0123456789abcdef'.repeat(4).slice(4)}`;

const release: Release = {
  service: 'web',
  environment: 'production',
  image: { repository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web', tag: 'git-59b20b8', digest: DIGEST },
  sha: '59b20b8d5c5ff8f9ffb59cb2a1b8a1c0a0e3d7f1',
  buildId: '42',
  settings: {},
};

/** What DescribeTaskDefinition returns for a Fargate service with a log-router sidecar. */
const previous: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:41',
  family: 'web',
  revision: 41,
  status: 'ACTIVE',
  taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  cpu: '512',
  memory: '1024',
  runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
  volumes: [],
  placementConstraints: [],
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.ecr-auth' }, { name: 'ecs.capability.container-health-check' }],
  registeredAt: new Date('2024-05-01T08:03:20.500Z'),
  registeredBy: 'arn:aws:iam::123456789012:user/deployer',
  containerDefinitions: [
    {
      name: 'app',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:1111111111111111111111111111111111111111111111111111111111111111',
      essential: true,
      cpu: 256,
      memory: 512,
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
      environment: [{ name: 'GIT_SHA', value: '1111111' }, { name: 'LOG_LEVEL', value: 'info' }],
      secrets: [{ name: 'DATABASE_URL', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/web/db' }],
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'], interval: 30, timeout: 5, retries: 3, startPeriod: 10 },
      logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'cloudwatch' } },
    },
    {
      name: 'log-router',
      image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0',
      essential: true,
      memoryReservation: 50,
      firelensConfiguration: { type: 'fluentbit' },
    },
  ],
};
const tags = [{ key: 'team', value: 'web' }, { key: 'cost-center', value: '42' }];
const block = { cluster: 'prod', service: 'web', container: 'app', env: { GIT_SHA: '59b20b8', FEATURE_X: 'on' }, memory: 768 };

function render(settings: Record<string, unknown>, td: TaskDefinition = previous) {
  return nextTaskDefinition(td, tags, { ...release, settings }, EcsSettingsSchema.parse(settings));
}

describe('ecs task definition', () => {
  it('matches test/golden/ecs-task-definition.json (SLIPWAY_UPDATE_GOLDEN=1 rewrites it after a deliberate change)', () => {
    const actual = `${JSON.stringify({ settings: block, registered: render(block) }, null, 2)}\n`;
    if (process.env.SLIPWAY_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, actual);
    assert.equal(actual, readFileSync(GOLDEN, 'utf8'));
  });

  it('changes only the image (by digest) and the declared env/resources of the target container', () => {
    const next = render(block);
    const { taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy, ...kept } = previous;
    assert.deepEqual({ ...next, containerDefinitions: undefined, tags: undefined }, { ...kept, containerDefinitions: undefined, tags: undefined });
    assert.deepEqual(next.containerDefinitions![1], previous.containerDefinitions![1]);
    const app = next.containerDefinitions![0]!;
    assert.equal(app.image, `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@${DIGEST}`);
    assert.deepEqual(app.environment, [{ name: 'GIT_SHA', value: '59b20b8' }, { name: 'LOG_LEVEL', value: 'info' }, { name: 'FEATURE_X', value: 'on' }]);
    assert.deepEqual([app.cpu, app.memory], [256, 768]);
    assert.deepEqual(next.tags, tags);
    assert.ok(!JSON.stringify(next).includes(':latest'));
  });

  it('leaves environment and resources alone when the block declares none, and never mutates its input', () => {
    const before = structuredClone(previous);
    const next = render({ cluster: 'prod', service: 'web', container: 'app' });
    const { image, ...rest } = next.containerDefinitions![0]!;
    const { image: _, ...was } = previous.containerDefinitions![0]!;
    assert.deepEqual(rest, was);
    assert.notEqual(image, previous.containerDefinitions![0]!.image);
    assert.deepEqual(previous, before);
  });

  it('omits tags when the task definition has none', () => {
    const next = nextTaskDefinition(previous, [], release, EcsSettingsSchema.parse({ cluster: 'c', service: 's', container: 'app' }));
    assert.equal('tags' in next, false);
  });

  it('takes the only container without a name; with several, the block must name one that exists', () => {
    const single: TaskDefinition = { ...previous, containerDefinitions: [previous.containerDefinitions![0]!] };
    assert.equal(targetContainer(single, undefined).name, 'app');
    for (const [name, message] of [
      [undefined, /^task definition web:41 has 2 containers \(app, log-router\); set ecs.container to the one to deploy$/],
      ['api', /^task definition web:41 has no container "api" \(it has: app, log-router\)$/],
    ] as const) {
      assert.throws(() => targetContainer(previous, name), (err: unknown) => isSlipwayError(err, 'SCHEDULER_REJECTED') && message.test(err.message));
    }
  });

  it('names revisions the way ECS shows them', () => {
    assert.equal(familyRevision(previous), 'web:41');
    assert.equal(familyRevision({ taskDefinitionArn: 'arn:x' }), 'arn:x');
  });

  it('validates the ecs: block', () => {
    assert.ok(EcsSettingsSchema.safeParse({ cluster: 'web', service: 'hello' }).success);
    for (const bad of [{ service: 'x' }, { cluster: 'c', service: 's', health_path: '/' }, { cluster: 'c', service: 's', env: { 'A-B': 'x' } }, { cluster: 'c', service: 's', memory: 2 }]) {
      assert.equal(EcsSettingsSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
