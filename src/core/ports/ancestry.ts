/**
 * Optional capability of a source fetcher: commit ancestry, for the deploy fence.
 * Resolves undefined when it cannot tell (a commit is not known locally).
 */
export interface Ancestry {
  isAncestor(cloneUrl: string, ancestor: string, descendant: string): Promise<boolean | undefined>;
}
