// The Deployment controller (kubernetes pkg/controller/deployment: sync.go, rolling.go, progress.go):
// one ReplicaSet per template with revision annotations, the rolling update's surge/unavailable
// arithmetic, status and conditions, and ProgressDeadlineExceeded — never an automatic rollback.
import { createHash } from 'node:crypto';
import { scaledValue } from './admission.ts';
import { canonical, controlledBy, HASH_LABEL, Objects, ownerReference, REVISION, REVISION_HISTORY, revisionOf, rfc3339 } from './objects.ts';
import { hashedTemplate, omitZero } from './replicaset-controller.ts';

type Json = any;

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function syncDeployment(objects: Objects, d: Json, now = Date.now()): void {
  const owned = [...objects.replicaSets.values()].filter((rs) => rs.metadata.namespace === d.metadata.namespace && controlledBy(rs, d));
  const before = structuredClone(d.status ?? {});
  const status: Json = { ...before, conditions: [...(before.conditions ?? [])] };
  if (d.spec.paused) {
    setCondition(status, 'Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now);
    return finish(objects, d, owned, undefined, status, before, now);
  }
  const newRS = ensureNewReplicaSet(objects, d, owned, status, now);
  const all = owned.includes(newRS) ? owned : [...owned, newRS];
  const old = all.filter((rs) => rs !== newRS);
  if (d.spec.strategy.type === 'Recreate') recreate(objects, d, newRS, old);
  else {
    scaleUpNew(objects, d, newRS, all);
    scaleDownOld(objects, d, newRS, old, all);
  }
  pruneHistory(objects, d, old);
  finish(objects, d, all, newRS, status, before, now);
}

/** The ReplicaSet of the current template: found (and given the next revision if it is an old one) or created. */
function ensureNewReplicaSet(objects: Objects, d: Json, owned: Json[], status: Json, now: number): Json {
  const found = owned.find((rs) => sameTemplate(rs.spec.template, d.spec.template));
  const maxOld = Math.max(0, ...owned.filter((rs) => rs !== found).map(revisionOf));
  let rs = found;
  if (!rs) {
    const hash = templateHash(d.spec.template, d.status?.collisionCount ?? 0);
    const name = `${d.metadata.name}-${hash}`;
    rs = {
      kind: 'ReplicaSet', apiVersion: 'apps/v1',
      metadata: objects.meta(d.metadata.namespace, name, {
        generation: 1, labels: { ...d.spec.template.metadata?.labels, [HASH_LABEL]: hash }, ownerReferences: [ownerReference(d)],
        annotations: { ...copiedAnnotations(d), [REVISION]: String(maxOld + 1), 'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas), 'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + scaledValue(d.spec.strategy.rollingUpdate?.maxSurge, d.spec.replicas, true)) },
      }),
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector: { matchLabels: { ...d.spec.selector.matchLabels, [HASH_LABEL]: hash } }, template: hashedTemplate(d.spec.template, hash) },
      status: { replicas: 0 },
    };
    objects.replicaSets.set(Objects.key(rs.metadata.namespace, name), rs);
    setCondition(status, 'Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${name}"`, now, true);
  } else if (revisionOf(rs) <= maxOld) {
    const history = [rs.metadata.annotations[REVISION_HISTORY], rs.metadata.annotations[REVISION]].filter(Boolean).join(',');
    rs.metadata.annotations = { ...rs.metadata.annotations, ...copiedAnnotations(d), [REVISION]: String(maxOld + 1), [REVISION_HISTORY]: history };
    objects.touch(rs);
    if (!status.conditions.some((c: Json) => c.type === 'Progressing')) setCondition(status, 'Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${rs.metadata.name}"`, now, true);
  }
  const annotations = { ...d.metadata.annotations, [REVISION]: rs.metadata.annotations[REVISION] };
  if (rs.metadata.annotations[REVISION_HISTORY]) annotations[REVISION_HISTORY] = rs.metadata.annotations[REVISION_HISTORY];
  if (canonical(annotations) !== canonical(d.metadata.annotations ?? {})) {
    d.metadata.annotations = annotations;
    objects.touch(d);
  }
  return rs;
}

/** The deployment's own annotations a ReplicaSet copies (not the controller's bookkeeping ones). */
function copiedAnnotations(d: Json): Record<string, string> {
  const skip = new Set([REVISION, REVISION_HISTORY, 'kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas']);
  return Object.fromEntries(Object.entries(d.metadata.annotations ?? {}).filter(([k]) => !skip.has(k))) as Record<string, string>;
}

export function sameTemplate(rsTemplate: Json, template: Json): boolean {
  const strip = (t: Json) => {
    const copy = structuredClone(t);
    if (copy.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
    return canonical(copy);
  };
  return strip(rsTemplate) === strip(template);
}

function templateHash(template: Json, collisions: number): string {
  const digest = createHash('sha256').update(canonical(template) + String(collisions)).digest();
  return [...digest.subarray(0, 10)].map((b) => HASH_ALPHABET[b % HASH_ALPHABET.length]).join('');
}

const specReplicas = (rss: Json[]) => rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
const available = (rss: Json[]) => rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);

function scale(objects: Objects, d: Json, rs: Json, to: number): void {
  if (rs.spec.replicas === to) return;
  const up = to > rs.spec.replicas;
  rs.spec.replicas = to;
  rs.metadata.generation += 1;
  objects.touch(rs);
  objects.event({ kind: 'Deployment', namespace: d.metadata.namespace, name: d.metadata.name, uid: d.metadata.uid }, 'Normal', 'ScalingReplicaSet', `Scaled ${up ? 'up' : 'down'} replica set ${rs.metadata.name} to ${to}`, 'deployment-controller');
}

/** rolling.go reconcileNewReplicaSet: grow the new ReplicaSet within replicas + maxSurge. */
function scaleUpNew(objects: Objects, d: Json, newRS: Json, all: Json[]): void {
  const replicas = d.spec.replicas;
  if (newRS.spec.replicas >= replicas) return scale(objects, d, newRS, replicas);
  const maxTotal = replicas + scaledValue(d.spec.strategy.rollingUpdate.maxSurge, replicas, true);
  const room = maxTotal - specReplicas(all);
  if (room > 0) scale(objects, d, newRS, newRS.spec.replicas + Math.min(room, replicas - newRS.spec.replicas));
}

/** rolling.go reconcileOldReplicaSets: unhealthy old pods first, then healthy ones while minAvailable holds. */
function scaleDownOld(objects: Objects, d: Json, newRS: Json, old: Json[], all: Json[]): void {
  if (specReplicas(old) === 0) return;
  const minAvailable = d.spec.replicas - scaledValue(d.spec.strategy.rollingUpdate.maxUnavailable, d.spec.replicas, false);
  const newUnavailable = newRS.spec.replicas - (newRS.status?.availableReplicas ?? 0);
  let cleanup = specReplicas(all) - minAvailable - newUnavailable;
  if (cleanup <= 0) return;
  const oldestFirst = [...old].sort((a, b) => revisionOf(a) - revisionOf(b));
  for (const rs of oldestFirst) {
    const unhealthy = rs.spec.replicas - (rs.status?.availableReplicas ?? 0);
    const by = Math.min(cleanup, unhealthy);
    if (by > 0) scale(objects, d, rs, rs.spec.replicas - by), (cleanup -= by);
  }
  let scaleDown = available(all) - minAvailable;
  for (const rs of oldestFirst) {
    if (scaleDown <= 0) break;
    const by = Math.min(scaleDown, rs.spec.replicas);
    if (by > 0) scale(objects, d, rs, rs.spec.replicas - by), (scaleDown -= by);
  }
}

/** recreate.go: every old pod gone before the new ReplicaSet grows. */
function recreate(objects: Objects, d: Json, newRS: Json, old: Json[]): void {
  for (const rs of old) scale(objects, d, rs, 0);
  if (old.every((rs) => (rs.status?.replicas ?? 0) === 0)) scale(objects, d, newRS, d.spec.replicas);
}

/** Old ReplicaSets scaled to zero beyond revisionHistoryLimit are deleted, oldest first. */
function pruneHistory(objects: Objects, d: Json, old: Json[]): void {
  const idle = old.filter((rs) => rs.spec.replicas === 0 && (rs.status?.replicas ?? 0) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
  for (const rs of idle.slice(0, Math.max(0, idle.length - d.spec.revisionHistoryLimit))) objects.replicaSets.delete(Objects.key(rs.metadata.namespace, rs.metadata.name));
}

function finish(objects: Objects, d: Json, all: Json[], newRS: Json | undefined, status: Json, before: Json, now: number): void {
  const replicas = d.spec.replicas;
  const counts = {
    replicas: all.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: all.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0),
    availableReplicas: available(all),
    unavailableReplicas: Math.max(0, specReplicas(all) - available(all)),
  };
  const maxUnavailable = d.spec.strategy.type === 'RollingUpdate' ? scaledValue(d.spec.strategy.rollingUpdate.maxUnavailable, replicas, false) : 0;
  if (counts.availableReplicas >= replicas - maxUnavailable) setCondition(status, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now);
  else setCondition(status, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now);
  if (newRS) progress(d, newRS, counts, before, status, now);
  const next = { ...omitZero({ observedGeneration: d.metadata.generation, ...counts }), conditions: status.conditions, ...(status.collisionCount ? { collisionCount: status.collisionCount } : {}) };
  if (canonical(next) === canonical(d.status ?? {})) return;
  d.status = next;
  objects.touch(d);
}

/** progress.go syncRolloutStatus: complete, else progressing (re-stamped), else timed out. */
function progress(d: Json, newRS: Json, counts: Json, before: Json, status: Json, now: number): void {
  const name = newRS.metadata.name;
  const replicas = d.spec.replicas;
  const current = status.conditions.find((c: Json) => c.type === 'Progressing');
  const complete = counts.updatedReplicas === replicas && counts.replicas === replicas && counts.availableReplicas === replicas;
  const oldBefore = (before.replicas ?? 0) - (before.updatedReplicas ?? 0);
  const moved = counts.updatedReplicas > (before.updatedReplicas ?? 0) || counts.replicas - counts.updatedReplicas < oldBefore
    || counts.readyReplicas > (before.readyReplicas ?? 0) || counts.availableReplicas > (before.availableReplicas ?? 0);
  if (complete) {
    if (current?.reason !== 'NewReplicaSetAvailable') setCondition(status, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${name}" has successfully progressed.`, now, true);
  } else if (moved) setCondition(status, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${name}" is progressing.`, now, true);
  else if (current && current.reason !== 'NewReplicaSetAvailable' && current.reason !== 'ProgressDeadlineExceeded'
    && now - Date.parse(current.lastUpdateTime) > d.spec.progressDeadlineSeconds * 1000) {
    setCondition(status, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${name}" has timed out progressing.`, now, true);
  }
}

/** Sets a condition; lastTransitionTime moves only when `status` changes, lastUpdateTime when asked. */
function setCondition(status: Json, type: string, value: string, reason: string, message: string, now: number, stamp = false): void {
  const at = status.conditions.findIndex((c: Json) => c.type === type);
  const current = at >= 0 ? status.conditions[at] : undefined;
  if (current && current.status === value && current.reason === reason && current.message === message && !stamp) return;
  const time = rfc3339(now);
  const next = { type, status: value, lastUpdateTime: stamp || !current ? time : current.lastUpdateTime, lastTransitionTime: current?.status === value ? current.lastTransitionTime : time, reason, message };
  if (at >= 0) status.conditions[at] = next;
  else status.conditions.push(next);
}
