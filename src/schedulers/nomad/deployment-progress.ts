import type { NomadDeployment } from './nomad-types.ts';

/** The deployment's short ID, as `nomad` prints it. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/**
 * One line of rollout progress, summed over task groups: `Deployment 85ee4a9a: 1/2 healthy`,
 * with unhealthy allocations and canaries when there are any. Pure; log it when it changes.
 */
export function progressLine(d: NomadDeployment): string {
  const groups = Object.values(d.TaskGroups ?? {});
  const sum = (f: (g: (typeof groups)[number]) => number) => groups.reduce((n, g) => n + f(g), 0);
  const parts = [`${sum((g) => g.HealthyAllocs)}/${sum((g) => g.DesiredTotal)} healthy`];
  const unhealthy = sum((g) => g.UnhealthyAllocs);
  if (unhealthy > 0) parts.push(`${unhealthy} unhealthy`);
  const canaries = sum((g) => g.DesiredCanaries);
  if (canaries > 0) parts.push(groups.every((g) => g.Promoted || g.DesiredCanaries === 0) ? 'canaries promoted' : `${canaries} canaries awaiting promotion`);
  return `Deployment ${shortId(d.ID)}: ${parts.join(', ')}`;
}

/**
 * True when every canary of the deployment is placed and healthy but a group still waits for
 * promotion that Nomad will not do by itself (AutoPromote off).
 */
export function awaitsPromotion(d: NomadDeployment): boolean {
  const groups = Object.values(d.TaskGroups ?? {}).filter((g) => g.DesiredCanaries > 0);
  return d.Status === 'running' && groups.length > 0 && groups.some((g) => !g.Promoted && !g.AutoPromote) &&
    groups.every((g) => g.Promoted || g.HealthyAllocs >= g.DesiredCanaries);
}
