import type { V1Deployment } from '@kubernetes/client-node';

/** Where a rollout stands, in kubectl's words. */
export interface RolloutStatus {
  readonly state: 'waiting' | 'done' | 'failed';
  readonly message: string;
  /** the controller has seen the latest spec (status is current) */
  readonly observed: boolean;
}

/**
 * `kubectl rollout status deployment/<name>`'s decision for one look at the Deployment
 * (kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go), message for message.
 * Only ProgressDeadlineExceeded fails it; stuck pods just wait.
 */
export function rolloutStatus(d: V1Deployment): RolloutStatus {
  const name = d.metadata?.name ?? '';
  const status = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { state: 'waiting', observed: false, message: 'Waiting for deployment spec update to be observed...' };
  }
  const waiting = (message: string): RolloutStatus => ({ state: 'waiting', observed: true, message });
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', observed: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  const updated = status.updatedReplicas ?? 0;
  const replicas = d.spec?.replicas;
  if (replicas !== undefined && updated < replicas) {
    return waiting(`Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`);
  }
  if ((status.replicas ?? 0) > updated) {
    return waiting(`Waiting for deployment "${name}" rollout to finish: ${(status.replicas ?? 0) - updated} old replicas are pending termination...`);
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return waiting(`Waiting for deployment "${name}" rollout to finish: ${status.availableReplicas ?? 0} of ${updated} updated replicas are available...`);
  }
  return { state: 'done', observed: true, message: `deployment "${name}" successfully rolled out` };
}
