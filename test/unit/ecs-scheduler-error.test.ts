import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientException, ClusterNotFoundException, ServerException, type Task } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { SlipwayError } from '../../src/core/errors.ts';
import { ecsError } from '../../src/schedulers/ecs/ecs-error.ts';
import { stopReason } from '../../src/schedulers/ecs/stop-reason.ts';

/** An error shaped the way the SDK throws one ECS answered with. */
function serviceError(name: string, fault: 'client' | 'server', message = `${name} happened`) {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: fault === 'server' ? 500 : 400 } });
}

describe('ECS errors → scheduler port codes (by name, never by message)', () => {
  const table: [string, unknown, 'SCHEDULER_UNREACHABLE' | 'SCHEDULER_REJECTED'][] = [
    ['ThrottlingException', serviceError('ThrottlingException', 'client', 'Rate exceeded'), 'SCHEDULER_UNREACHABLE'],
    ['ServerException (SDK class)', new ServerException({ message: 'boom', $metadata: {} }), 'SCHEDULER_UNREACHABLE'],
    ['any 5xx', serviceError('SomethingNew', 'server'), 'SCHEDULER_UNREACHABLE'],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } }), 'SCHEDULER_UNREACHABLE'],
    ['DNS failure', Object.assign(new Error('getaddrinfo ENOTFOUND ecs.example'), { code: 'ENOTFOUND' }), 'SCHEDULER_UNREACHABLE'],
    ['ClientException (SDK class)', new ClientException({ message: 'TaskDefinition not found.', $metadata: {} }), 'SCHEDULER_REJECTED'],
    ['ClusterNotFoundException (SDK class)', new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }), 'SCHEDULER_REJECTED'],
    ['InvalidParameterException', serviceError('InvalidParameterException', 'client'), 'SCHEDULER_REJECTED'],
    ['ServiceNotFoundException', serviceError('ServiceNotFoundException', 'client'), 'SCHEDULER_REJECTED'],
    ['ServiceNotActiveException', serviceError('ServiceNotActiveException', 'client'), 'SCHEDULER_REJECTED'],
    ['AccessDeniedException', serviceError('AccessDeniedException', 'client'), 'SCHEDULER_REJECTED'],
    ['a message that mentions throttling does not make a refusal retryable', serviceError('ClientException', 'client', 'Throttling ServerException ECONNREFUSED'), 'SCHEDULER_REJECTED'],
    ['no region (SDK set-up)', new Error('Region is missing'), 'SCHEDULER_REJECTED'],
    ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'SCHEDULER_REJECTED'],
  ];
  for (const [what, err, code] of table) {
    it(what, () => {
      const mapped = ecsError(err, 'DescribeServices');
      assert.equal(mapped.code, code);
      assert.equal(mapped.retryable, code === 'SCHEDULER_UNREACHABLE');
      assert.equal(mapped.cause, err);
      assert.ok(mapped.message.includes((err as Error).message), mapped.message);
    });
  }

  it('keeps a SlipwayError as it is, and names invalid settings', () => {
    const own = new SlipwayError('SCHEDULER_REJECTED', 'mine');
    assert.equal(ecsError(own, 'x'), own);
    const zod = z.strictObject({ cluster: z.string() }).safeParse({});
    assert.match(ecsError(zod.error, 'deploy').message, /^invalid ecs settings: cluster: /);
  });
});

describe('why a task stopped', () => {
  const arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:43';
  const task = (over: Partial<Task>): Task => ({ taskDefinitionArn: arn, lastStatus: 'STOPPED', stoppedAt: new Date(1000), ...over });
  const table: [string, Task[], string | undefined][] = [
    ['none stopped', [task({ lastStatus: 'RUNNING' })], undefined],
    ['another revision', [task({ taskDefinitionArn: `${arn}0`, stoppedReason: 'x' })], undefined],
    ['pull failure, container says the same', [task({ stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: manifest unknown', containers: [{ name: 'app', reason: 'CannotPullContainerError: manifest unknown' }] })], 'CannotPullContainerError: manifest unknown'],
    ['container adds its reason', [task({ stoppedReason: 'Task failed to start', containers: [{ name: 'app', reason: 'CannotStartContainerError: no such file' }] })], 'Task failed to start; container app: CannotStartContainerError: no such file'],
    ['the app exited by itself', [task({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'sidecar', exitCode: 0 }, { name: 'app', exitCode: 3 }] })], 'Essential container in task exited; container app exited with code 3'],
    ['stopped for failed health checks: the kill\'s exit code is noise', [task({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task failed container health checks', containers: [{ name: 'app', exitCode: 137 }] })], 'Task failed container health checks'],
    ['the most recent one', [task({ stoppedReason: 'older', stoppedAt: new Date(1) }), task({ stoppedReason: 'newer', stoppedAt: new Date(2) })], 'newer'],
  ];
  for (const [what, tasks, expected] of table) it(what, () => assert.equal(stopReason(tasks, arn), expected));
});
