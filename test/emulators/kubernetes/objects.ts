// The emulated cluster's stored objects: Deployments, ReplicaSets, Pods and Events, each with a
// uid and a resourceVersion drawn from one counter (etcd's revision), as the API server keeps them.
import { randomUUID } from 'node:crypto';

type Json = any;

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const HASH_LABEL = 'pod-template-hash';

export interface EventSource { readonly kind: string; readonly namespace: string; readonly name: string; readonly uid: string; readonly fieldPath?: string }

export class Objects {
  private version = 1000;
  readonly deployments = new Map<string, Json>();
  readonly replicaSets = new Map<string, Json>();
  readonly pods = new Map<string, Json>();
  readonly events: Json[] = [];

  static key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  /** Gives the object a new resourceVersion: it was written. */
  touch(obj: Json): void {
    obj.metadata.resourceVersion = String(++this.version);
  }

  /** The metadata every new object gets. */
  meta(namespace: string, name: string, extra: Json = {}): Json {
    return { ...extra, name, namespace, uid: randomUUID(), resourceVersion: String(++this.version), creationTimestamp: rfc3339() };
  }

  /** The list's resourceVersion: the latest write. */
  listVersion(): string {
    return String(this.version);
  }

  /** Records an event, folding a repeat of the same (object, reason, message) into its count, as the recorder does. */
  event(on: EventSource, type: 'Normal' | 'Warning', reason: string, message: string, component = 'kubelet'): void {
    const now = rfc3339();
    const same = this.events.find((e) => e.involvedObject.uid === on.uid && e.reason === reason && e.message === message);
    if (same) {
      same.count += 1;
      same.lastTimestamp = now;
      this.touch(same);
      return;
    }
    const involvedObject = { kind: on.kind, namespace: on.namespace, name: on.name, uid: on.uid, apiVersion: on.kind === 'Pod' ? 'v1' : 'apps/v1', ...(on.fieldPath ? { fieldPath: on.fieldPath } : {}) };
    this.events.push({
      kind: 'Event', apiVersion: 'v1',
      metadata: this.meta(on.namespace, `${on.name}.${Date.now().toString(16)}${this.events.length.toString(16)}`),
      involvedObject, reason, message, type, count: 1, firstTimestamp: now, lastTimestamp: now,
      source: { component, ...(component === 'kubelet' ? { host: 'emulated-node' } : {}) },
      reportingComponent: component, reportingInstance: component === 'kubelet' ? 'emulated-node' : '',
    });
  }
}

export function rfc3339(at = Date.now()): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The object's revision annotation as a number (0 when absent). */
export function revisionOf(obj: Json): number {
  return Number(obj?.metadata?.annotations?.[REVISION] ?? 0) || 0;
}

/** Whether `obj` is controlled by `owner` (its controller ownerReference names the owner's uid). */
export function controlledBy(obj: Json, owner: Json): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r: Json) => r.controller === true && r.uid === owner.metadata.uid);
}

export function ownerReference(owner: Json): Json {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** JSON with sorted keys: two templates are the same when their canonical texts are. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Json)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
