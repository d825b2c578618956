/**
 * Optional capability of a source fetcher: commit ancestry, for the deploy fence. Fetches the
 * commits it does not have yet (another worker host may have built the running one). Resolves
 * false when one of them is not in the remote at all (force-pushed away: it cannot be an
 * ancestor of what is there). Throws SOURCE_UNAVAILABLE (retryable) when the remote cannot be asked.
 */
export interface Ancestry {
  isAncestor(cloneUrl: string, ancestor: string, descendant: string): Promise<boolean>;
}
