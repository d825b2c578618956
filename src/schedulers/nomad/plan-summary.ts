import type { PlanResponse } from './nomad-types.ts';

/** `nomad job plan`'s words for DesiredTGUpdates' counters, in its order. */
const WORDS: readonly [string, string][] = [
  ['Place', 'create'], ['DestructiveUpdate', 'create/destroy update'], ['InPlaceUpdate', 'in-place update'], ['Canary', 'canary'],
  ['Stop', 'destroy'], ['Migrate', 'migrate'], ['Ignore', 'ignore'],
];

/** What a plan would do, summed over task groups: `1 create/destroy update, 1 ignore`. Pure. */
export function planSummary(plan: Pick<PlanResponse, 'Annotations'>): string {
  const groups = Object.values(plan.Annotations?.DesiredTGUpdates ?? {});
  const said = WORDS.map(([key, word]) => [groups.reduce((n, g) => n + (g[key] ?? 0), 0), word] as const)
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}`);
  return said.join(', ') || 'no changes';
}
