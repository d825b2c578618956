import { isDeepStrictEqual } from 'node:util';
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import type { JsonPatchOp } from './kubernetes-api.ts';
import { revisionOf } from './revision.ts';

/** Annotations `kubectl rollout undo` keeps from the Deployment instead of taking the ReplicaSet's (rollback.go). */
const KEPT_FROM_DEPLOYMENT = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
];

/** What `kubectl rollout undo --to-revision=N` would send, or why it would send nothing. */
export type Undo = { readonly patch: readonly JsonPatchOp[] } | { readonly refused: string };

/**
 * `kubectl rollout undo deployment/<name> --to-revision=<revision>` (kubernetes/kubectl
 * pkg/polymorphichelpers/rollback.go), client-side as apps/v1 has no rollback API: the
 * ReplicaSet of that revision among those the Deployment controls gives back its pod template
 * (without `pod-template-hash`) and its annotations, in one JSON patch.
 */
export function undoTo(d: V1Deployment, controlled: readonly V1ReplicaSet[], revision: number): Undo {
  const name = d.metadata?.name ?? '';
  if (d.spec?.paused) return { refused: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again" };
  if (controlled.length === 0) return { refused: `no rollout history found for deployment "${name}"` };
  const rs = controlled.find((r) => revisionOf(r) === revision);
  if (!rs?.spec?.template) return { refused: `unable to find specified revision ${revision} in history` };
  const template = plain(rs.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  if (isDeepStrictEqual(template, plain(d.spec?.template))) return { refused: `skipped rollback (current template already matches revision ${revision})` };
  const annotations: Record<string, string> = {};
  for (const key of KEPT_FROM_DEPLOYMENT) {
    const value = d.metadata?.annotations?.[key];
    if (value !== undefined) annotations[key] = value;
  }
  for (const [key, value] of Object.entries(rs.metadata?.annotations ?? {})) {
    if (!KEPT_FROM_DEPLOYMENT.includes(key)) annotations[key] = value;
  }
  return {
    patch: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}

/** The object as the API server's JSON has it (client-node's models hold the same keys). */
function plain(template: V1PodTemplateSpec | undefined): V1PodTemplateSpec {
  return template === undefined ? {} : (JSON.parse(JSON.stringify(template)) as V1PodTemplateSpec);
}
