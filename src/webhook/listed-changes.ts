/**
 * The most commits a push payload is sure to list in full. GitHub's reference says the `commits`
 * array holds at most 20 (for timeline events; older pages said 2048 for webhook deliveries), so a
 * payload listing 20 or more may be cut, whichever cap applies: its lists decide nothing.
 */
export const PAYLOAD_COMMIT_CAP = 20;

/** What a push payload says about the files the push changed. */
export type ListedChanges =
  | { readonly complete: true; readonly files: ReadonlySet<string> }
  | { readonly complete: false; readonly why: string };

/**
 * The files a push changed, from its `commits[].added/modified/removed`, when those lists are the
 * whole story: not for a new branch (`created`, or `before` all zeros: the lists hold only the
 * commits new to the repository), a forced push (commits that left the branch are not listed), a
 * payload at the commit cap, an empty or malformed list. Pure, in memory; reads only those fields.
 */
export function listedChanges(payload: unknown): ListedChanges {
  const p = payload as { created?: unknown; forced?: unknown; before?: unknown; commits?: unknown };
  if (p.created === true || typeof p.before !== 'string' || /^0+$/.test(p.before)) return unknown('a new branch');
  if (p.forced === true) return unknown('a forced push');
  if (!Array.isArray(p.commits) || p.commits.length === 0) return unknown('no commits listed');
  if (p.commits.length >= PAYLOAD_COMMIT_CAP) return unknown(`${p.commits.length} commits listed, the payload's cap`);
  const files = new Set<string>();
  for (const commit of p.commits as unknown[]) {
    for (const key of ['added', 'modified', 'removed'] as const) {
      const list = commit !== null && typeof commit === 'object' ? (commit as Record<string, unknown>)[key] : undefined;
      if (!Array.isArray(list)) return unknown('a commit without file lists');
      for (const file of list) {
        if (typeof file !== 'string') return unknown('a commit without file lists');
        files.add(file);
      }
    }
  }
  return { complete: true, files };
}

function unknown(why: string): ListedChanges {
  return { complete: false, why };
}
