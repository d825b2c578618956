/**
 * The `kubernetes` scheduler adapter against the API server emulator, whose pods run for real in
 * the test engine: the one patch it sends, a crash and a missing image rolled back with the pods'
 * own reason (and kubectl's undo patch), a registry that stumbles waited out, a pod with several
 * containers, a Deployment changed underneath (409, read again), and a Role without `patch`. Run with
 * `npm test -- test/integration/kubernetes-scheduler.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { PushedImage } from '../../src/core/image.ts';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { createKubernetesScheduler } from '../../src/schedulers/kubernetes/kubernetes-scheduler.ts';
import { startKubernetesEmulator, type KubernetesEmulator, type PolicyRule } from '../emulators/kubernetes.ts';
import { siteDeployment } from '../emulators/kubernetes/site-deployment.ts';
import { missingImage, publishSite } from '../support/images.ts';
import { testEnv } from '../support/env.ts';
import { memoryLog } from '../support/memory-log.ts';
import { startStumblingRegistry } from '../support/stumbling-registry.ts';

const TOKEN = 'kubernetes-scheduler-token';
const NS = 'shop';
const DEADLINE_MS = 20_000;
const pinned = (i: PushedImage) => `${i.repository}@${i.digest}`;

/** The rules of the first Role in a YAML block of the given Markdown file (README.md, docs/…). */
function documentedRole(file: string): PolicyRule[] {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^kind: Role$/m.test(b));
  const role = parseAllDocuments(blocks[0] ?? '').map((d) => d.toJS()).find((d) => d?.kind === 'Role');
  assert.ok(role, `no Role in ${file}`);
  return role.rules;
}

describe('kubernetes scheduler', { timeout: 240_000 }, () => {
  let k8s: KubernetesEmulator;
  const repo = `k8s-sched-${randomBytes(3).toString('hex')}`;
  const images = {} as Record<'one' | 'two' | 'crash', PushedImage>;

  before(async () => {
    k8s = await startKubernetesEmulator({ token: TOKEN, tickMs: 50, backoffMs: 500 });
    images.one = await publishSite(repo, 'one');
    images.two = await publishSite(repo, 'two');
    images.crash = await publishSite(repo, 'crash', { crashes: true });
  });
  after(() => k8s?.close());

  const scheduler = (cluster = k8s) => {
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig({ namespace: NS }));
    return createKubernetesScheduler(kc, { pollIntervalMs: 100 });
  };
  const release = (image: PushedImage, settings: Record<string, unknown>): Release => ({
    service: 'shop', environment: 'production', image, sha: image.tag.slice(4).padEnd(40, '0'), buildId: image.tag, settings,
  });
  /** A Deployment the team applied, rolled out on `image`. */
  const applied = async (name: string, image: PushedImage, options = {}) => {
    await k8s.createDeployment(NS, siteDeployment(name, pinned(image), options));
    const result = await scheduler().deploy(release(image, { deployment: name }), memoryLog(), { deadlineMs: DEADLINE_MS }).catch((err) => err);
    assert.equal(result.outcome ?? result.message, 'succeeded');
  };
  const patches = (name: string) => k8s.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${name}`));

  it('sends one strategic merge patch of the container image, conditional on the resourceVersion read, and logs the revision', async () => {
    await applied('one-patch', images.one);
    const log = memoryLog();
    const readVersion = k8s.deployment(NS, 'one-patch').metadata.resourceVersion;
    const result = await scheduler().deploy(release(images.two, { deployment: 'one-patch' }), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'succeeded', result.detail);
    assert.equal(result.previous, pinned(images.one));
    assert.match(result.detail, /^deployment "one-patch" successfully rolled out \(revision 2, 1\/1 available\)$/);
    const [patch] = patches('one-patch');
    assert.equal(patch?.contentType, 'application/strategic-merge-patch+json');
    assert.deepEqual(JSON.parse(patch!.body), { metadata: { resourceVersion: readVersion }, spec: { template: { spec: { containers: [{ name: 'app', image: pinned(images.two) }] } } } });
    assert.ok(log.lines.includes('Deployment one-patch is at revision 2'), log.text());
    assert.equal(k8s.runningImage(NS, 'one-patch'), images.two.digest);
  });

  it('rolls a crashing release back with kubectl\'s undo patch, saying CrashLoopBackOff and the exit code', async () => {
    await applied('crashes', images.one);
    const log = memoryLog();
    const result = await scheduler().deploy(release(images.crash, { deployment: 'crashes' }), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'rolled_back', result.detail);
    assert.match(result.detail, /container app CrashLoopBackOff: back-off \d+s restarting failed container=app .*; last exit code 3 \(Error\), \d+ restarts?/);
    assert.equal(result.previous, pinned(images.one));
    const undo = patches('crashes').at(-1)!;
    assert.equal(undo.contentType, 'application/json-patch+json');
    const ops = JSON.parse(undo.body) as { op: string; path: string; value: any }[];
    assert.deepEqual(ops.map((o) => [o.op, o.path]), [['replace', '/spec/template'], ['replace', '/metadata/annotations']]);
    assert.equal(ops[0]!.value.spec.containers[0].image, pinned(images.one));
    assert.equal(ops[0]!.value.metadata.labels['pod-template-hash'], undefined);
    assert.ok(log.lines.includes('deployment.apps/crashes rolled back to revision 1 (as kubectl rollout undo --to-revision=1)'), log.text());
    assert.equal(k8s.deployment(NS, 'crashes').metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(k8s.runningImage(NS, 'crashes'), images.one.digest);
  });

  it('rolls back an image the registry does not have, saying what the kubelet said about the pull', async () => {
    await applied('unpulled', images.one);
    const result = await scheduler().deploy(release(missingImage(repo), { deployment: 'unpulled' }), memoryLog(), { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'rolled_back', result.detail);
    assert.match(result.detail, /container app (ErrImagePull|ImagePullBackOff): .*not found/);
    assert.equal(k8s.runningImage(NS, 'unpulled'), images.one.digest);
  });

  it('waits out a registry that stumbles (503) during the pull, instead of rolling back at the first ErrImagePull', async () => {
    await applied('stumbled', images.one);
    const registry = await startStumblingRegistry(testEnv().registry);
    try {
      const through = { ...images.two, repository: images.two.repository.replace(testEnv().registry, registry.host) };
      const log = memoryLog();
      const deploying = scheduler().deploy(release(through, { deployment: 'stumbled' }), log, { deadlineMs: DEADLINE_MS });
      // the kubelet pulls, fails (ErrImagePull), backs off and pulls again: the deploy must still wait
      const early = await Promise.race([deploying, registry.refused(2, DEADLINE_MS / 2)]);
      assert.equal(early, undefined, `the deploy ended while the registry still stumbled: ${early?.outcome}: ${early?.detail}`);
      registry.recover();
      const result = await deploying;
      assert.equal(result.outcome, 'succeeded', `${result.detail}\n${log.text()}`);
      assert.equal(k8s.runningImage(NS, 'stumbled'), images.two.digest);
    } finally {
      await registry.close();
    }
  });

  it('needs the container named when the pod has several, and then changes only that one', async () => {
    const sidecar = { name: 'shipper', image: pinned(images.one) };
    await k8s.createDeployment(NS, siteDeployment('two-containers', pinned(images.one), { sidecars: [sidecar] }));
    const err = await scheduler().deploy(release(images.two, { deployment: 'two-containers' }), memoryLog(), { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
    assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
    assert.equal(err.message, 'deployment "two-containers" has 2 containers (app, shipper); set kubernetes.container to the one to deploy');
    const result = await scheduler().deploy(release(images.two, { deployment: 'two-containers', container: 'app' }), memoryLog(), { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'succeeded', result.detail);
    assert.deepEqual(k8s.deployment(NS, 'two-containers').spec.template.spec.containers.map((c: any) => [c.name, c.image]), [['app', pinned(images.two)], ['shipper', pinned(images.one)]]);
  });

  it('reads the Deployment again when someone else changed it in between (409 Conflict), keeping their change', async () => {
    await applied('contended', images.one);
    k8s.beforeNextWrite(async () => {
      const res = await fetch(`${k8s.url}/apis/apps/v1/namespaces/${NS}/deployments/contended`, {
        method: 'PATCH', body: JSON.stringify({ metadata: { annotations: { 'team.example.com/owner': 'payments' } } }),
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/merge-patch+json' },
      });
      assert.equal(res.status, 200);
    });
    const log = memoryLog();
    const result = await scheduler().deploy(release(images.two, { deployment: 'contended' }), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'succeeded', result.detail);
    assert.ok(log.lines.includes('Deployment contended changed since Slipway read it (409 Conflict); reading it again'), log.text());
    assert.deepEqual(patches('contended').filter((p) => p.contentType === 'application/strategic-merge-patch+json').map((p) => p.status), [409, 200]);
    assert.equal(k8s.deployment(NS, 'contended').metadata.annotations['team.example.com/owner'], 'payments');
  });

  it('needs no more than the Role the README and docs/schedulers/kubernetes.md document, to deploy and to roll back', async () => {
    const rules = documentedRole('README.md');
    assert.deepEqual(documentedRole('docs/schedulers/kubernetes.md'), rules, 'the README and the docs show the same Role');
    const granted = await startKubernetesEmulator({ token: TOKEN, rules, tickMs: 50, backoffMs: 500 });
    try {
      await granted.createDeployment(NS, siteDeployment('granted', pinned(images.one)));
      const deployed = await scheduler(granted).deploy(release(images.two, { deployment: 'granted' }), memoryLog(), { deadlineMs: DEADLINE_MS });
      assert.equal(deployed.outcome, 'succeeded', deployed.detail);
      const undone = await scheduler(granted).deploy(release(images.crash, { deployment: 'granted' }), memoryLog(), { deadlineMs: DEADLINE_MS });
      assert.equal(undone.outcome, 'rolled_back', undone.detail);
      assert.deepEqual(granted.requests.filter((r) => r.status === 403).map((r) => `${r.method} ${r.path}`), []);
      assert.deepEqual([...new Set(granted.requests.map((r) => `${r.method} ${r.path.replace(/\/(deployments)\/.*$/, '/$1/<name>')}`))].sort(), [
        'GET /api/v1/namespaces/shop/events', 'GET /api/v1/namespaces/shop/pods', 'GET /apis/apps/v1/namespaces/shop/deployments/<name>',
        'GET /apis/apps/v1/namespaces/shop/replicasets', 'PATCH /apis/apps/v1/namespaces/shop/deployments/<name>',
      ]);
    } finally {
      await granted.close();
    }
  });

  it('stops waiting soon after the caller aborts, leaving the rollout where it is', async () => {
    await applied('aborted', images.one);
    const silent = await publishSite(repo, 'silent', { healthy: false });
    const controller = new AbortController();
    const log = memoryLog();
    const deploying = scheduler().deploy(release(silent, { deployment: 'aborted' }), { line: (l) => (log.line(l), l.startsWith('Deployment aborted is at revision') && controller.abort(new Error('lease lost'))) }, { deadlineMs: DEADLINE_MS, signal: controller.signal });
    // had the abort been missed, the deploy would have run to the deadline and rolled back: no rejection
    await assert.rejects(deploying, /lease lost/);
    assert.equal(k8s.deployment(NS, 'aborted').spec.template.spec.containers[0].image, pinned(silent), 'what it changed stays as it is');
    assert.equal(patches('aborted').length, 1, 'no undo after an abort');
  });

  it('refuses, naming the Role to grant, when the service account may not patch deployments', async () => {
    const locked = await startKubernetesEmulator({ token: TOKEN });
    try {
      await locked.createDeployment(NS, siteDeployment('locked', pinned(images.one)));
      locked.forbid('patch', 'deployments');
      const err = await scheduler(locked).deploy(release(images.two, { deployment: 'locked' }), memoryLog(), { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
      assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
      assert.equal(err.retryable, false);
      assert.match(err.message, /^deployments.apps "locked" is forbidden: User ".*" cannot patch resource "deployments" .* \(403 Forbidden\): grant the Role in Slipway's README/);
    } finally {
      await locked.close();
    }
  });
});
