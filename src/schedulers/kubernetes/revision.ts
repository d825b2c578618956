import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';

export const REVISION = 'deployment.kubernetes.io/revision';

/** The revision the Deployment controller wrote on a Deployment or ReplicaSet, if any. */
export function revisionOf(obj: V1Deployment | V1ReplicaSet): number | undefined {
  const value = Number(obj.metadata?.annotations?.[REVISION]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** `app=web,tier=front`: the Deployment's selector as a label selector query. */
export function labelSelector(labels: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
}

/** The ReplicaSets the Deployment controls (its controller ownerReference), by the deployment's uid. */
export function controlledBy(d: V1Deployment, rss: readonly V1ReplicaSet[]): V1ReplicaSet[] {
  return rss.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === d.metadata?.uid));
}
