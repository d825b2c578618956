/**
 * Nomad's vocabulary in the adapter, table-driven: HTTP answers → error codes, placement metrics,
 * allocation task events, deployment progress, plan annotations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocationFailure } from '../../src/schedulers/nomad/allocation-failure.ts';
import { awaitsPromotion, progressLine } from '../../src/schedulers/nomad/deployment-progress.ts';
import { httpError } from '../../src/schedulers/nomad/nomad-client.ts';
import type { AllocationStub, DeploymentState, NomadDeployment } from '../../src/schedulers/nomad/nomad-types.ts';
import { placementFailure } from '../../src/schedulers/nomad/placement-failure.ts';
import { planSummary } from '../../src/schedulers/nomad/plan-summary.ts';

describe('Nomad HTTP errors → SlipwayError codes', () => {
  const cases: [number, string, boolean, 'SCHEDULER_REJECTED' | 'SCHEDULER_UNREACHABLE'][] = [
    [400, 'Job must be specified', true, 'SCHEDULER_REJECTED'],
    [403, 'Permission denied', false, 'SCHEDULER_REJECTED'],
    [403, 'ACL token not found', true, 'SCHEDULER_REJECTED'],
    [404, 'job not found', false, 'SCHEDULER_REJECTED'],
    [405, 'Invalid method', true, 'SCHEDULER_REJECTED'],
    [500, '1 error occurred:\n\t* Task group web validation failed: …', true, 'SCHEDULER_REJECTED'],
    [500, 'Enforcing job modify index 3: job exists with conflicting job modify index: 5', true, 'SCHEDULER_REJECTED'],
    [500, 'No cluster leader', true, 'SCHEDULER_UNREACHABLE'],
    [500, 'No path to region', true, 'SCHEDULER_UNREACHABLE'],
    [500, 'rpc error: EOF', false, 'SCHEDULER_UNREACHABLE'],
    [502, 'Bad Gateway', true, 'SCHEDULER_UNREACHABLE'],
    [503, '', true, 'SCHEDULER_UNREACHABLE'],
  ];
  for (const [status, text, submits, code] of cases) {
    it(`${status} ${JSON.stringify(text)} ${submits ? 'to a job submission' : 'to a read'} → ${code}`, () => {
      const err = httpError(status, text, 'POST /v1/job/web', submits);
      assert.equal(err.code, code);
      assert.equal(err.retryable, code === 'SCHEDULER_UNREACHABLE');
      assert.ok(err.message.endsWith(`(HTTP ${status}): ${text || `HTTP ${status}`}`), err.message);
    });
  }
});

describe('placement metrics in words', () => {
  const cases: [string, Parameters<typeof placementFailure>[0], string][] = [
    ['memory exhausted', { web: { NodesEvaluated: 3, NodesExhausted: 3, NodesAvailable: { dc1: 3 }, DimensionExhausted: { memory: 3 } } },
      'task group web: Resources exhausted on 3 nodes; Dimension "memory" exhausted on 3 nodes'],
    ['an unknown datacenter', { web: { NodesEvaluated: 0, NodesAvailable: { dc9: 0 } } },
      'task group web: No nodes were eligible for evaluation; No nodes are available in datacenter "dc9"'],
    ['constraints', { web: { NodesEvaluated: 3, NodesFiltered: 3, ConstraintFiltered: { '${attr.kernel.name} = windows': 3 }, CoalescedFailures: 1 } },
      'task group web: Constraint "${attr.kernel.name} = windows": 3 nodes excluded by filter; 1 more allocations could not be placed'],
    ['two groups', { a: { NodesEvaluated: 1, NodesExhausted: 1 }, b: { NodesEvaluated: 1, ClassFiltered: { gpu: 1 } } },
      'task group a: Resources exhausted on 1 nodes; task group b: Class "gpu": 1 nodes excluded by filter'],
  ];
  for (const [name, failed, expected] of cases) it(name, () => assert.equal(placementFailure(failed), expected));
});

describe('why allocations failed, from their task events', () => {
  const alloc = (version: number, status: string, healthy: boolean | null, events: [string, string][]): AllocationStub => ({
    ID: `a1b2c3d4-${version}${status}`, JobVersion: version, ClientStatus: status, DesiredStatus: 'run', DeploymentStatus: { Healthy: healthy },
    TaskStates: { web: { State: 'dead', Failed: true, Events: events.map(([Type, DisplayMessage]) => ({ Type, DisplayMessage })) } },
  });
  const cases: [string, AllocationStub[], string | undefined][] = [
    ['a pull failure beats the events after it', [alloc(4, 'failed', false, [['Received', 'Task received by client'], ['Driver Failure', 'Failed to pull `x`: manifest unknown'], ['Not Restarting', 'Error was unrecoverable']])],
      'allocation a1b2c3d4: Failed to pull `x`: manifest unknown'],
    ['unhealthy checks', [alloc(4, 'running', false, [['Started', 'Task started by client'], ['Alloc Unhealthy', 'Services not healthy by deadline']])],
      'allocation a1b2c3d4: Services not healthy by deadline'],
    ['an exit', [alloc(4, 'failed', false, [['Terminated', 'Exit Code: 3']])], 'allocation a1b2c3d4: Exit Code: 3'],
    ['other versions do not count', [alloc(3, 'failed', false, [['Driver Failure', 'old']])], undefined],
    ['healthy ones do not count', [alloc(4, 'running', true, [['Started', 'ok']])], undefined],
    ['no telling event', [alloc(4, 'failed', null, [['Received', '']])], 'allocation a1b2c3d4 is failed'],
  ];
  for (const [name, allocs, expected] of cases) it(name, () => assert.equal(allocationFailure(allocs, 4), expected));
});

describe('deployment progress', () => {
  const group = (g: Partial<DeploymentState>): DeploymentState => ({
    AutoRevert: true, AutoPromote: false, Promoted: false, DesiredCanaries: 0, DesiredTotal: 2, PlacedAllocs: 1, HealthyAllocs: 1, UnhealthyAllocs: 0, ...g,
  });
  const d = (groups: Record<string, DeploymentState>, Status = 'running'): NomadDeployment => ({
    ID: '85ee4a9a-339f-a921-a9ef-0550d20b2c61', JobID: 'web', JobVersion: 4, Status, StatusDescription: '', TaskGroups: groups,
  });
  const cases: [string, NomadDeployment, string, boolean][] = [
    ['plain', d({ web: group({}) }), 'Deployment 85ee4a9a: 1/2 healthy', false],
    ['unhealthy', d({ web: group({ UnhealthyAllocs: 1 }) }), 'Deployment 85ee4a9a: 1/2 healthy, 1 unhealthy', false],
    ['two groups', d({ a: group({}), b: group({ DesiredTotal: 3, HealthyAllocs: 0 }) }), 'Deployment 85ee4a9a: 1/5 healthy', false],
    ['canaries healthy, waiting', d({ web: group({ DesiredCanaries: 1 }) }), 'Deployment 85ee4a9a: 1/2 healthy, 1 canaries awaiting promotion', true],
    ['canaries not yet healthy', d({ web: group({ DesiredCanaries: 2 }) }), 'Deployment 85ee4a9a: 1/2 healthy, 2 canaries awaiting promotion', false],
    ['Nomad promotes by itself', d({ web: group({ DesiredCanaries: 1, AutoPromote: true }) }), 'Deployment 85ee4a9a: 1/2 healthy, 1 canaries awaiting promotion', false],
    ['promoted', d({ web: group({ DesiredCanaries: 1, Promoted: true }) }), 'Deployment 85ee4a9a: 1/2 healthy, canaries promoted', false],
    ['over', d({ web: group({ DesiredCanaries: 1 }) }, 'failed'), 'Deployment 85ee4a9a: 1/2 healthy, 1 canaries awaiting promotion', false],
  ];
  for (const [name, deployment, line, promote] of cases) {
    it(name, () => {
      assert.equal(progressLine(deployment), line);
      assert.equal(awaitsPromotion(deployment), promote);
    });
  }
});

describe('plan annotations in nomad job plan\'s words', () => {
  const cases: [Record<string, Record<string, number>> | null, string][] = [
    [{ web: { Place: 2, Ignore: 0 } }, '2 create'],
    [{ web: { DestructiveUpdate: 1, Ignore: 1 } }, '1 create/destroy update, 1 ignore'],
    [{ a: { Place: 1 }, b: { Place: 1, Canary: 1 } }, '2 create, 1 canary'],
    [{ web: { Ignore: 0 } }, 'no changes'],
    [null, 'no changes'],
  ];
  for (const [updates, expected] of cases) it(expected, () => assert.equal(planSummary({ Annotations: { DesiredTGUpdates: updates } }), expected));
});
