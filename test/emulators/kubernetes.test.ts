/**
 * The Kubernetes API server emulator is faithful to reference §11: `Status` error bodies, patch
 * types, resourceVersion conflicts, generations and their observation, one ReplicaSet per template
 * with revisions, the rolling update, pods that run for real (ImagePullBackOff for an image the
 * registry does not have, CrashLoopBackOff for one that exits) with the kubelet's events, and
 * ProgressDeadlineExceeded without any automatic rollback. Checked with plain HTTP and with
 * the official client. Run with `npm test -- test/emulators/kubernetes.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { PushedImage } from '../../src/core/image.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { testEnv } from '../support/env.ts';
import { missingImage, publishSite } from '../support/images.ts';
import { pollUntil } from './http-util.ts';
import { EMULATOR_LABEL, startKubernetesEmulator, type KubernetesEmulator } from './kubernetes.ts';
import { siteDeployment } from './kubernetes/site-deployment.ts';

const TOKEN = 'emulator-test-token';
const NS = 'shop';
const pinned = (i: PushedImage) => `${i.repository}@${i.digest}`;
const SMP = 'application/strategic-merge-patch+json';

describe('kubernetes API server emulator', { timeout: 180_000 }, () => {
  let k8s: KubernetesEmulator;
  let apps: AppsV1Api;
  let kc: KubeConfig;
  const images = {} as Record<'one' | 'two' | 'crash', PushedImage>;
  const repo = `k8s-emu-${randomBytes(3).toString('hex')}`;

  before(async () => {
    k8s = await startKubernetesEmulator({ token: TOKEN, tickMs: 50, backoffMs: 500, observeLagMs: 300 });
    kc = new KubeConfig();
    kc.loadFromString(k8s.kubeconfig());
    apps = kc.makeApiClient(AppsV1Api);
    images.one = await publishSite(repo, 'one');
    images.two = await publishSite(repo, 'two');
    images.crash = await publishSite(repo, 'crash', { crashes: true });
  });
  after(() => k8s?.close());

  const request = (method: string, path: string, body?: unknown, contentType = 'application/json', token = TOKEN) =>
    fetch(`${k8s.url}${path}`, {
      method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
  const path = (name = '') => `/apis/apps/v1/namespaces/${NS}/deployments${name ? `/${name}` : ''}`;
  const rolledOut = (name: string) => (d: any) => d?.status?.observedGeneration >= d?.metadata?.generation && d?.status?.availableReplicas === d?.spec?.replicas && d?.status?.updatedReplicas === d?.spec?.replicas && d?.status?.replicas === d?.spec?.replicas && name !== '';
  const waitFor = (name: string, pred: (d: any) => boolean, ms = 30_000) =>
    pollUntil(() => k8s.deployment(NS, name), pred, ms, () => JSON.stringify({ d: k8s.deployment(NS, name)?.status, pods: k8s.pods(NS, name).map((p) => p.status) }));
  const deployed = async (name: string, image: string, options = {}) => {
    await k8s.createDeployment(NS, siteDeployment(name, image, options));
    await waitFor(name, rolledOut(name));
  };

  it('answers every refusal with a Status body: 401 without the token, 404 for an unknown deployment or path', async () => {
    const anonymous = await request('GET', path('web'), undefined, 'application/json', '');
    assert.deepEqual(anonymous, { status: 401, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 } });
    const missing = await request('GET', path('nowhere'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'deployments.apps "nowhere" not found');
    assert.deepEqual(missing.body.details, { name: 'nowhere', group: 'apps', kind: 'deployments' });
    assert.equal((await request('GET', '/apis/apps/v1/namespaces/shop/statefulsets')).body.reason, 'NotFound');
  });

  it('refuses a verb the role does not grant with 403 Forbidden, naming user, verb, resource and namespace', async () => {
    const denied = await startKubernetesEmulator({ token: TOKEN });
    try {
      denied.forbid('list', 'pods');
      const res = await fetch(`${denied.url}/api/v1/namespaces/${NS}/pods`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await res.json()) as any;
      assert.equal(res.status, 403);
      assert.equal(body.message, 'pods is forbidden: User "system:serviceaccount:ci:deployer" cannot list resource "pods" in API group "" in the namespace "shop"');
    } finally {
      await denied.close();
    }
  });

  it('rolls a new Deployment out: ReplicaSet revision 1, pods running for real, status complete', async () => {
    await deployed('first', pinned(images.one), { replicas: 2 });
    const [rs] = k8s.replicaSets(NS, 'first');
    const hash = rs.metadata.labels['pod-template-hash'];
    assert.equal(rs.metadata.name, `first-${hash}`);
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.equal(k8s.deployment(NS, 'first').metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(rs.spec.selector.matchLabels, { app: 'first', 'pod-template-hash': hash });
    const pods = k8s.pods(NS, 'first');
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.metadata.labels['pod-template-hash'] === hash && p.status.phase === 'Running'));
    const containers = await createDockerClient(testEnv().dockerHost).listContainers({ filters: { label: [EMULATOR_LABEL] } });
    for (const p of pods) assert.ok(containers.some((c) => c.Labels['io.kubernetes.pod.name'] === p.metadata.name && c.State === 'running'), p.metadata.name);
    const d = k8s.deployment(NS, 'first');
    assert.equal(d.status.conditions.find((c: any) => c.type === 'Progressing').reason, 'NewReplicaSetAvailable');
    assert.equal('unavailableReplicas' in d.status, false, 'zero counts are omitted');
  });

  it('merges a strategic merge patch by container name, bumps the generation, observes it late, and rolls to a new ReplicaSet', async () => {
    await deployed('patched', pinned(images.one));
    const patched = await apps.patchNamespacedDeployment(
      { name: 'patched', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'app', image: pinned(images.two) }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const container = patched.spec!.template.spec!.containers[0]!;
    assert.equal(container.image, pinned(images.two));
    assert.equal(container.readinessProbe?.httpGet?.path, '/index.html', 'the rest of the container is kept');
    assert.equal(patched.metadata!.generation, 2);
    assert.equal(patched.status!.observedGeneration, 1, 'the controller has not seen it yet');
    await waitFor('patched', (d) => rolledOut('patched')(d) && d.metadata.generation === 2);
    const rss = k8s.replicaSets(NS, 'patched').sort((a, b) => a.metadata.annotations['deployment.kubernetes.io/revision'] - b.metadata.annotations['deployment.kubernetes.io/revision']);
    assert.deepEqual(rss.map((rs) => [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs.spec.replicas]), [['1', 0], ['2', 1]]);
    assert.ok(k8s.pods(NS, 'patched').every((p) => p.spec.containers[0].image === pinned(images.two)));
    const same = await request('PATCH', path('patched'), { spec: { replicas: 1 } }, SMP);
    assert.equal(same.body.metadata.generation, 2, 'a patch that changes nothing bumps nothing');
  });

  it('streams a watch of one deployment to the official client: ADDED, then MODIFIED as the controller acts', async () => {
    const seen: string[] = [];
    const watching = await new Watch(kc).watch(`/apis/apps/v1/namespaces/${NS}/deployments`, { fieldSelector: 'metadata.name=watched' },
      (type, obj) => seen.push(`${type} ${obj.metadata.name} ${obj.metadata.generation}/${obj.status?.observedGeneration ?? '-'}`), () => undefined);
    try {
      await deployed('watched', pinned(images.one));
      await deployed('unwatched', pinned(images.one));
      await pollUntil(() => seen, (s) => s.includes('MODIFIED watched 1/1'), 10_000, () => seen.join('; '));
      assert.equal(seen[0], 'ADDED watched 1/-');
      assert.ok(seen.every((line) => line.includes(' watched ')), 'the field selector holds');
    } finally {
      watching.abort();
    }
  });

  it('refuses bad patches as the API server does: 415, 400, 422 with causes, 409 on a stale resourceVersion', async () => {
    await deployed('strict', pinned(images.one));
    const image = { spec: { template: { spec: { containers: [{ name: 'app', image: pinned(images.two) }] } } } };
    assert.equal((await request('PATCH', path('strict'), image, 'text/plain')).body.reason, 'UnsupportedMediaType');
    const asJsonPatch = await request('PATCH', path('strict'), image, 'application/json-patch+json');
    assert.deepEqual([asJsonPatch.status, asJsonPatch.body.message], [400, 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp']);
    const failedTest = await request('PATCH', path('strict'), [{ op: 'test', path: '/spec/template/spec/containers/0/name', value: 'web' }], 'application/json-patch+json');
    assert.deepEqual([failedTest.status, failedTest.body.reason], [422, 'Invalid']);
    const empty = await request('PATCH', path('strict'), { spec: { template: { spec: { containers: [{ name: 'app', image: '' }] } } } }, SMP);
    assert.equal(empty.status, 422);
    assert.equal(empty.body.message, 'Deployment.apps "strict" is invalid: spec.template.spec.containers[0].image: Required value');
    assert.deepEqual(empty.body.details.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].image' }]);
    const noSurge = await request('PATCH', path('strict'), { spec: { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } } }, SMP);
    assert.equal(noSurge.body.details.causes[0].field, 'spec.strategy.rollingUpdate.maxUnavailable');
    const stale = await request('PATCH', path('strict'), { metadata: { resourceVersion: '1' }, ...image }, SMP);
    assert.equal(stale.status, 409);
    assert.equal(stale.body.message, 'Operation cannot be fulfilled on deployments.apps "strict": the object has been modified; please apply your changes to the latest version and try again');
    assert.equal(k8s.deployment(NS, 'strict').spec.template.spec.containers[0].image, pinned(images.one), 'nothing refused was applied');
  });

  it('keeps an image the registry does not have in ImagePullBackOff, keeps the old pod, and times the rollout out without rolling back', async () => {
    await deployed('unpulled', pinned(images.one), { progressDeadlineSeconds: 2 });
    const image = pinned(missingImage(repo));
    await request('PATCH', path('unpulled'), { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } }, SMP);
    await waitFor('unpulled', (d) => d.status.conditions.some((c: any) => c.reason === 'ProgressDeadlineExceeded'));
    const d = k8s.deployment(NS, 'unpulled');
    assert.equal(d.status.conditions.find((c: any) => c.type === 'Progressing').message, `ReplicaSet "${k8s.replicaSets(NS, 'unpulled').find((rs) => rs.spec.template.spec.containers[0].image === image).metadata.name}" has timed out progressing.`);
    assert.equal(d.spec.template.spec.containers[0].image, image, 'no automatic rollback');
    const stuck = k8s.pods(NS, 'unpulled').find((p) => p.spec.containers[0].image === image);
    assert.match(stuck.status.containerStatuses[0].state.waiting.reason, /^(ErrImagePull|ImagePullBackOff)$/);
    assert.equal(k8s.runningImage(NS, 'unpulled'), images.one.digest, 'the old pod keeps serving');
    const events = k8s.events(NS).filter((e) => e.involvedObject.name === stuck.metadata.name);
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.message.startsWith(`Failed to pull image "${image}"`)), JSON.stringify(events));
    assert.ok(events.some((e) => e.reason === 'BackOff' && e.message === `Back-off pulling image "${image}"`));
  });

  it('puts a container that exits into CrashLoopBackOff with its exit code and the back-off event', async () => {
    await deployed('crashing', pinned(images.one));
    await request('PATCH', path('crashing'), { spec: { template: { spec: { containers: [{ name: 'app', image: pinned(images.crash) }] } } } }, SMP);
    const crashed = () => k8s.pods(NS, 'crashing').find((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    await pollUntil(crashed, Boolean, 30_000, () => JSON.stringify(k8s.pods(NS, 'crashing').map((p) => p.status)));
    const status = crashed().status.containerStatuses[0];
    assert.equal(status.lastState.terminated.exitCode, 3);
    assert.equal(status.lastState.terminated.reason, 'Error');
    assert.ok(status.restartCount >= 1);
    assert.match(status.state.waiting.message, /^back-off \d+s restarting failed container=app pod=crashing-/);
    assert.ok(k8s.events(NS).some((e) => e.involvedObject.name === crashed().metadata.name && e.reason === 'BackOff' && e.message.startsWith('Back-off restarting failed container app in pod')));
  });

  it('takes kubectl rollout undo (a JSON patch of the old template) back to the old ReplicaSet under a new revision', async () => {
    await deployed('undone', pinned(images.one));
    await request('PATCH', path('undone'), { spec: { template: { spec: { containers: [{ name: 'app', image: pinned(images.two) }] } } } }, SMP);
    await waitFor('undone', (d) => rolledOut('undone')(d) && d.metadata.generation === 2);
    const first = k8s.replicaSets(NS, 'undone').find((rs) => rs.metadata.annotations['deployment.kubernetes.io/revision'] === '1');
    const template = structuredClone(first.spec.template);
    delete template.metadata.labels['pod-template-hash'];
    const undo = await request('PATCH', path('undone'), [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
    ], 'application/json-patch+json');
    assert.equal(undo.status, 200);
    await waitFor('undone', (d) => rolledOut('undone')(d) && d.metadata.generation === 3);
    assert.equal(first.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(first.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(k8s.replicaSets(NS, 'undone').length, 2, 'no third ReplicaSet: the old template has its own');
    assert.equal(k8s.runningImage(NS, 'undone'), images.one.digest);
  });
});
