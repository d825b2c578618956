import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException, type CoreV1Event, type V1ContainerStatus, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { kubernetesError, KubernetesRefusal } from '../../src/schedulers/kubernetes/kubernetes-error.ts';
import { lastWarning, podTrouble } from '../../src/schedulers/kubernetes/pod-trouble.ts';
import { rolloutStatus } from '../../src/schedulers/kubernetes/rollout-status.ts';

const deployment = (generation: number, status: V1Deployment['status'], replicas = 3): V1Deployment => ({ metadata: { name: 'web', generation }, spec: { replicas, selector: {}, template: {} }, status });
const progressing = (reason: string) => [{ type: 'Progressing', status: reason === 'ProgressDeadlineExceeded' ? 'False' : 'True', reason }];

describe('kubernetes rollout status (kubectl rollout_status.go)', () => {
  const table: [string, V1Deployment, string, string][] = [
    ['spec not observed yet', deployment(5, { observedGeneration: 4, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), 'waiting', 'Waiting for deployment spec update to be observed...'],
    ['deadline exceeded', deployment(5, { observedGeneration: 5, conditions: progressing('ProgressDeadlineExceeded') }), 'failed', 'deployment "web" exceeded its progress deadline'],
    ['new replicas still coming (absent counts are 0)', deployment(5, { observedGeneration: 5, replicas: 3 }), 'waiting', 'Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated...'],
    ['old replicas terminating', deployment(5, { observedGeneration: 5, replicas: 4, updatedReplicas: 3 }), 'waiting', 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...'],
    ['updated but not available', deployment(5, { observedGeneration: 5, replicas: 3, updatedReplicas: 3, availableReplicas: 2 }), 'waiting', 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...'],
    ['done', deployment(5, { observedGeneration: 5, replicas: 3, updatedReplicas: 3, availableReplicas: 3, conditions: progressing('NewReplicaSetAvailable') }), 'done', 'deployment "web" successfully rolled out'],
  ];
  for (const [name, d, state, message] of table) {
    it(name, () => assert.deepEqual([rolloutStatus(d).state, rolloutStatus(d).message], [state, message]));
  }
});

const pod = (name: string, ...statuses: V1ContainerStatus[]): V1Pod => ({ metadata: { name }, status: { containerStatuses: statuses } });
const container = (state: V1ContainerStatus['state'], extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus =>
  ({ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state, ...extra });

describe('kubernetes pod trouble', () => {
  it('tells stuck pods (missing image, crash loop) from ones still starting, not ready, or pulling from a registry that stumbled', () => {
    const cases: [V1Pod[], { stuck: boolean; text: string } | undefined][] = [
      [[pod('web-1', container({ waiting: { reason: 'ContainerCreating' } }))], undefined],
      [[pod('web-1', container({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "r/web@sha256:0"' } }))],
        { stuck: true, text: 'pod web-1: container app ImagePullBackOff: Back-off pulling image "r/web@sha256:0"' }],
      [[pod('web-1', container({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app' } }, { restartCount: 2, lastState: { terminated: { exitCode: 3, reason: 'Error' } } }))],
        { stuck: true, text: 'pod web-1: container app CrashLoopBackOff: back-off 10s restarting failed container=app; last exit code 3 (Error), 2 restarts' }],
      [[pod('web-1', container({ running: {} })), pod('web-2', container({ waiting: { reason: 'ErrImagePull', message: 'not found' } }))],
        { stuck: true, text: 'pod web-2: container app ErrImagePull: not found' }],
      [[pod('web-1', container({ waiting: { reason: 'ErrImagePull', message: 'rpc error: code = Unknown desc = failed to pull and unpack image "r/web@sha256:0": failed to resolve reference "r/web@sha256:0": unexpected status from HEAD request to http://r/v2/web/manifests/sha256:0: 503 Service Unavailable' } }))],
        { stuck: false, text: 'pod web-1: container app ErrImagePull: rpc error: code = Unknown desc = failed to pull and unpack image "r/web@sha256:0": failed to resolve reference "r/web@sha256:0": unexpected status from HEAD request to http://r/v2/web/manifests/sha256:0: 503 Service Unavailable' }],
      [[pod('web-1', container({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "r/web@sha256:0": ErrImagePull: dial tcp 192.0.2.9:443: connect: connection refused' } }))],
        { stuck: false, text: 'pod web-1: container app ImagePullBackOff: Back-off pulling image "r/web@sha256:0": ErrImagePull: dial tcp 192.0.2.9:443: connect: connection refused' }],
      [[pod('web-1', container({ running: {} }))], { stuck: false, text: 'pod web-1: container app is running but not ready' }],
      [[{ metadata: { name: 'web-1' }, status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }] } }],
        { stuck: false, text: 'pod web-1 is not scheduled: Unschedulable 0/3 nodes are available: 3 Insufficient memory.' }],
    ];
    for (const [pods, expected] of cases) {
      const t = podTrouble(pods);
      assert.deepEqual(t && { stuck: t.stuck, text: t.text }, expected);
    }
  });

  it('quotes the latest warning event, passing over the bare "Error: <reason>" ones', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const events: CoreV1Event[] = [
      { metadata: {}, involvedObject: {}, type: 'Normal', reason: 'Pulling', message: 'Pulling image "x"', lastTimestamp: at(1) },
      { metadata: {}, involvedObject: {}, type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', count: 4, lastTimestamp: at(5) },
      { metadata: {}, involvedObject: {}, type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', lastTimestamp: at(9) },
    ];
    assert.equal(lastWarning(events), 'Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503 (4 times)');
    assert.equal(lastWarning(events.slice(0, 1)), undefined);
  });
});

describe('kubernetes errors', () => {
  const attempt = { verb: 'patch', what: 'deployment "web"', namespace: 'prod', server: 'https://k8s.example.com', context: 'prod-admin' };
  const status = (code: number, reason: string, message: string, extra = {}) =>
    new ApiException(code, 'HTTP-Code: ' + code, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...extra }), {});

  it('maps the API server\'s answers to catalog codes, with what to do in the message', () => {
    const cases: [unknown, string, boolean, RegExp][] = [
      [new ApiException(401, 'Unauthorized', undefined, {}), 'SCHEDULER_REJECTED', false, /refused the credentials of context prod-admin \(401 Unauthorized\)/],
      [status(403, 'Forbidden', 'deployments.apps "web" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "prod"'),
        'SCHEDULER_REJECTED', false, /cannot patch resource "deployments".*\(403 Forbidden\): grant the Role in Slipway's README/],
      [status(404, 'NotFound', 'deployments.apps "web" not found'), 'SCHEDULER_REJECTED', false, /^deployments.apps "web" not found in namespace prod \(404\): Slipway updates an existing Deployment/],
      [status(422, 'Invalid', 'Deployment.apps "web" is invalid: spec.template.spec.containers[0].image: Required value'), 'SCHEDULER_REJECTED', false, /\(422 Invalid\): Deployment.apps "web" is invalid/],
      [status(409, 'Conflict', 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified'), 'SCHEDULER_REJECTED', false, /the object has been modified/],
      [status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'), 'SCHEDULER_UNREACHABLE', true, /503 ServiceUnavailable/],
      [Object.assign(new Error('request to https://k8s.example.com failed, reason: connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'SCHEDULER_UNREACHABLE', true,
        /^cannot reach the Kubernetes API at https:\/\/k8s.example.com \(context prod-admin\) to patch deployment "web": ECONNREFUSED$/],
    ];
    for (const [err, code, retryable, message] of cases) {
      const mapped = kubernetesError(err, attempt);
      assert.deepEqual([mapped.code, mapped.retryable], [code, retryable], mapped.message);
      assert.match(mapped.message, message);
    }
  });

  it('keeps the HTTP code and Status reason of a refusal, so a 409 Conflict can be retried', () => {
    const mapped = kubernetesError(status(409, 'Conflict', 'the object has been modified'), attempt);
    assert.ok(mapped instanceof KubernetesRefusal);
    assert.deepEqual([mapped.status, mapped.reason], [409, 'Conflict']);
  });
});
