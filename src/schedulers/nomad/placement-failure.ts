import type { AllocMetric, FailedTGAllocs } from './nomad-types.ts';

/** True when Nomad reported at least one task group it could not (fully) place. */
export function hasPlacementFailures(failed: FailedTGAllocs | undefined): failed is Readonly<Record<string, AllocMetric>> {
  return !!failed && Object.keys(failed).length > 0;
}

/**
 * Nomad's placement metrics in words, the way `nomad job run` prints them: per task group, why
 * nodes were not eligible or had no room. Pure.
 * e.g. `task group web: Dimension "memory" exhausted on 3 nodes`.
 */
export function placementFailure(failed: Readonly<Record<string, AllocMetric>>): string {
  return Object.entries(failed)
    .map(([group, metric]) => `task group ${group}: ${metricReasons(metric).join('; ') || 'no node could take it'}`)
    .join('; ');
}

function metricReasons(m: AllocMetric): string[] {
  const reasons: string[] = [];
  if (!m.NodesEvaluated) reasons.push('No nodes were eligible for evaluation');
  for (const [dc, available] of Object.entries(m.NodesAvailable ?? {})) {
    if (available === 0) reasons.push(`No nodes are available in datacenter "${dc}"`);
  }
  for (const [klass, n] of Object.entries(m.ClassFiltered ?? {})) reasons.push(`Class "${klass}": ${n} nodes excluded by filter`);
  for (const [c, n] of Object.entries(m.ConstraintFiltered ?? {})) reasons.push(`Constraint "${c}": ${n} nodes excluded by filter`);
  if (m.NodesExhausted) reasons.push(`Resources exhausted on ${m.NodesExhausted} nodes`);
  for (const [klass, n] of Object.entries(m.ClassExhausted ?? {})) reasons.push(`Class "${klass}" exhausted on ${n} nodes`);
  for (const [dim, n] of Object.entries(m.DimensionExhausted ?? {})) reasons.push(`Dimension "${dim}" exhausted on ${n} nodes`);
  if (m.CoalescedFailures) reasons.push(`${m.CoalescedFailures} more allocations could not be placed`);
  return reasons;
}
