import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { isSlipwayError } from '../../src/core/errors.ts';
import { imagePatch, targetContainer } from '../../src/schedulers/kubernetes/image-patch.ts';
import { undoTo } from '../../src/schedulers/kubernetes/rollout-undo.ts';
import { KubernetesSettingsSchema } from '../../src/schedulers/kubernetes/settings.ts';

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
const asGolden = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const DIGEST = `sha256:4f1c${'0123456789abcdef'.repeat(4).slice(4)}`;
const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'hello', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }, { name: 'log-shipper', image: 'registry.example.com/shipper:1.4' }] },
});

/** A Deployment at revision 3, applied with kubectl (last-applied) and a change cause. */
const deployment = (overrides: Partial<V1Deployment['spec']> = {}): V1Deployment => ({
  metadata: {
    name: 'hello', namespace: 'web', uid: 'd-1', resourceVersion: '48213', generation: 4,
    annotations: {
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}',
      'kubernetes.io/change-cause': 'slipway: git-59b20b8',
    },
  },
  spec: { selector: { matchLabels: { app: 'hello' } }, template: template(`registry.example.com/acme/hello@sha256:${'b'.repeat(64)}`), ...overrides },
});

/** The ReplicaSet of revision 2: the template that ran before. */
const revision2: V1ReplicaSet = {
  metadata: {
    name: 'hello-5d4c9b7f6', uid: 'rs-2',
    labels: { app: 'hello', 'pod-template-hash': '5d4c9b7f6' },
    annotations: {
      'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3',
      'kubernetes.io/change-cause': 'slipway: git-1a2b3c4',
    },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello', uid: 'd-1', controller: true }],
  },
  spec: { selector: { matchLabels: { app: 'hello', 'pod-template-hash': '5d4c9b7f6' } }, template: template(`registry.example.com/acme/hello@sha256:${'a'.repeat(64)}`, '5d4c9b7f6') },
};

describe('kubernetes image patch', () => {
  it('matches the golden file (test/golden/kubernetes-image-patch.json): the one container image, conditional on the resourceVersion read', () => {
    const patch = imagePatch('48213', targetContainer(deployment(), 'app').name, `registry.example.com/acme/hello@${DIGEST}`);
    assert.equal(asGolden(patch), golden('kubernetes-image-patch.json'));
  });

  it('takes the only container when none is named, and refuses an ambiguous or unknown one, listing the containers', () => {
    const single = deployment({ template: { spec: { containers: [{ name: 'web', image: 'x' }] } } });
    assert.equal(targetContainer(single, undefined).name, 'web');
    const refusals: [string | undefined, string][] = [
      [undefined, 'deployment "hello" has 2 containers (app, log-shipper); set kubernetes.container to the one to deploy'],
      ['api', 'deployment "hello" has no container "api" in its pod template (it has: app, log-shipper)'],
    ];
    for (const [name, message] of refusals) {
      assert.throws(() => targetContainer(deployment(), name), (err: unknown) => isSlipwayError(err, 'SCHEDULER_REJECTED') && err.message === message);
    }
  });

  it('accepts names Kubernetes accepts and says which key is wrong otherwise', () => {
    assert.deepEqual(KubernetesSettingsSchema.parse({ deployment: 'hello.v2', namespace: 'web' }), { deployment: 'hello.v2', namespace: 'web' });
    const bad = KubernetesSettingsSchema.safeParse({ deployment: 'Hello', container: 'app_1' });
    assert.deepEqual(bad.error?.issues.map((i) => i.path.join('.')), ['deployment', 'container']);
    assert.equal(KubernetesSettingsSchema.safeParse({ namespace: 'web' }).success, false, 'deployment is required');
  });
});

describe('kubernetes rollout undo (kubectl rollback.go)', () => {
  it('matches the golden file (test/golden/kubernetes-undo-patch.json): the old template without pod-template-hash, kubectl\'s annotations', () => {
    const undo = undoTo(deployment(), [revision2], 2);
    assert.ok('patch' in undo, JSON.stringify(undo));
    assert.equal(asGolden(undo.patch), golden('kubernetes-undo-patch.json'));
  });

  it('refuses as kubectl does: paused, no history, an unknown revision, the same template', () => {
    const cases: [V1Deployment, V1ReplicaSet[], number, string][] = [
      [deployment({ paused: true }), [revision2], 2, "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"],
      [deployment(), [], 2, 'no rollout history found for deployment "hello"'],
      [deployment(), [revision2], 1, 'unable to find specified revision 1 in history'],
      [deployment({ template: template(`registry.example.com/acme/hello@sha256:${'a'.repeat(64)}`) }), [revision2], 2, 'skipped rollback (current template already matches revision 2)'],
    ];
    for (const [d, rss, revision, refused] of cases) assert.deepEqual(undoTo(d, rss, revision), { refused });
  });
});
