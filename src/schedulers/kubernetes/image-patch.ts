import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { SlipwayError } from '../../core/errors.ts';

/**
 * The container of the Deployment's pod template a release sets: the one `name` names, or the
 * only one. Throws SCHEDULER_REJECTED naming the containers there are when that is not clear.
 */
export function targetContainer(d: V1Deployment, name: string | undefined): V1Container {
  const containers = d.spec?.template?.spec?.containers ?? [];
  const label = `deployment "${d.metadata?.name}"`;
  const names = containers.map((c) => c.name).join(', ');
  if (name !== undefined) {
    const found = containers.find((c) => c.name === name);
    if (!found) throw new SlipwayError('SCHEDULER_REJECTED', `${label} has no container "${name}" in its pod template (it has: ${names || 'none'})`);
    return found;
  }
  if (containers.length === 1) return containers[0]!;
  throw new SlipwayError('SCHEDULER_REJECTED', `${label} has ${containers.length} containers (${names}); set kubernetes.container to the one to deploy`);
}

/**
 * The strategic merge patch that sets one container's image and nothing else (`containers` merge
 * by name), conditional on the resourceVersion Slipway read: a Deployment changed in between
 * is answered 409 Conflict instead of being patched blind.
 */
export function imagePatch(resourceVersion: string, container: string, image: string): object {
  return { metadata: { resourceVersion }, spec: { template: { spec: { containers: [{ name: container, image }] } } } };
}
