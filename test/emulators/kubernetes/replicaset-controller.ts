// The ReplicaSet controller: keeps each ReplicaSet's pod count at `spec.replicas` (creating pods the
// kubelet then runs, deleting the least ready first) and writes its status from its pods.
import { randomBytes } from 'node:crypto';
import { controlledBy, HASH_LABEL, Objects, ownerReference } from './objects.ts';
import { readySince, runPod, type KubeletDeps, type PodRun } from './pod-runner.ts';

type Json = any;

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function podsOf(objects: Objects, rs: Json): Json[] {
  return [...objects.pods.values()].filter((p) => p.metadata.namespace === rs.metadata.namespace && controlledBy(p, rs));
}

/** A pod that has been Ready for at least minReadySeconds. */
export function isAvailable(pod: Json, minReadySeconds: number, now = Date.now()): boolean {
  const since = readySince(pod);
  return since !== undefined && now - since >= minReadySeconds * 1000;
}

export async function syncReplicaSet(deps: KubeletDeps, runs: Map<string, PodRun>, rs: Json): Promise<void> {
  const pods = podsOf(deps.objects, rs);
  const want = rs.spec.replicas ?? 1;
  for (let i = pods.length; i < want; i++) {
    const pod = newPod(deps.objects, rs);
    deps.objects.pods.set(Objects.key(pod.metadata.namespace, pod.metadata.name), pod);
    runs.set(pod.metadata.uid, runPod(deps, pod));
    deps.objects.event(rsSource(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller');
  }
  const extra = pods.length - want;
  if (extra > 0) {
    // the least useful first: not running, then not ready, then the newest (controller.ActivePods order)
    const rank = (p: Json) => (p.status.phase !== 'Running' ? 0 : readySince(p) === undefined ? 1 : 2);
    const doomed = [...pods].sort((a, b) => rank(a) - rank(b) || b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp)).slice(0, extra);
    for (const pod of doomed) {
      deps.objects.pods.delete(Objects.key(pod.metadata.namespace, pod.metadata.name));
      await runs.get(pod.metadata.uid)?.stop();
      runs.delete(pod.metadata.uid);
      deps.objects.event(rsSource(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'replicaset-controller');
    }
  }
  writeStatus(deps.objects, rs);
}

function newPod(objects: Objects, rs: Json): Json {
  const suffix = [...randomBytes(5)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
  const template = structuredClone(rs.spec.template);
  const name = `${rs.metadata.name}-${suffix}`;
  return {
    kind: 'Pod', apiVersion: 'v1',
    metadata: objects.meta(rs.metadata.namespace, name, {
      generateName: `${rs.metadata.name}-`, labels: template.metadata?.labels ?? {}, ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [ownerReference(rs)],
    }),
    spec: { ...template.spec, nodeName: 'emulated-node', schedulerName: 'default-scheduler' },
    status: {},
  };
}

const rsSource = (rs: Json) => ({ kind: 'ReplicaSet', namespace: rs.metadata.namespace, name: rs.metadata.name, uid: rs.metadata.uid });

function writeStatus(objects: Objects, rs: Json): void {
  const pods = podsOf(objects, rs);
  const labels: Record<string, string> = rs.spec.template.metadata?.labels ?? {};
  const status = {
    replicas: pods.length, // the one field ReplicaSetStatus does not omit when zero
    ...omitZero({ fullyLabeledReplicas: pods.filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: pods.filter((p) => readySince(p) !== undefined).length,
    availableReplicas: pods.filter((p) => isAvailable(p, rs.spec.minReadySeconds ?? 0)).length,
    observedGeneration: rs.metadata.generation }),
  };
  if (JSON.stringify(status) === JSON.stringify(rs.status)) return;
  rs.status = status;
  objects.touch(rs);
}

/** Numeric status fields are `omitempty`: a zero is left out. */
export function omitZero<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== undefined)) as Partial<T>;
}

/** The label the RS and its pods carry, and that the RS selector adds. */
export function hashedTemplate(template: Json, hash: string): Json {
  const copy = structuredClone(template);
  copy.metadata = { ...copy.metadata, labels: { ...copy.metadata?.labels, [HASH_LABEL]: hash } };
  return copy;
}
