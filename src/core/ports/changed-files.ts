/** What a commit's changes are counted against: an earlier commit, or a branch it left. */
export type ChangeBase = { readonly commit: string } | { readonly branch: string };

/**
 * Optional capability of a source fetcher: the files a commit changed, for a pipeline's `paths`
 * when the webhook's payload could not tell. Against a commit (a push's `before`): every path
 * that differs between the two trees. Against a branch (a new branch: the default branch; a pull
 * request: its base): what `head` changed since it left that branch (from their merge base).
 * Renames count as both paths. Resolves undefined when the mirror cannot tell (the base commit is
 * gone from the remote, the branch is unknown, no common history); the caller then builds.
 * Call it after `fetch` of `head`. Throws REF_INVALID for a bad URL, sha or branch name, and
 * stops like `fetch` when `signal` aborts.
 */
export interface ChangedFiles {
  changedFiles(request: { cloneUrl: string; base: ChangeBase; head: string }, signal?: AbortSignal): Promise<readonly string[] | undefined>;
}
