/**
 * What Slipway needs from a GitHub delivery, independent of GitHub's payload shapes.
 * Produced by the webhook normalizer; stored on the build record.
 */
export interface SourceEvent {
  readonly kind: 'push' | 'pull_request';
  readonly deliveryId: string;
  /** `owner/name` of the repository that received the event (the base repo for PRs) */
  readonly repository: string;
  /** where the commit can be fetched from (the head repo for PRs) */
  readonly cloneUrl: string;
  /** the full 40-hex commit to build */
  readonly sha: string;
  /** branch name: pushed branch, or the PR's head branch */
  readonly branch: string;
  /** first line of the commit message, when the payload has it */
  readonly message?: string;
  readonly author?: string;
  /** the GitHub App installation that received the delivery, when one did */
  readonly installationId?: number;
  /** a push: the commit the branch pointed at before it (absent for a new branch) */
  readonly before?: string;
  /** the repository's default branch, which a new branch's changes are counted against (`paths`) */
  readonly defaultBranch?: string;
  /** a push whose payload listed every changed file: the server already applied `paths` to it */
  readonly filesListed?: boolean;
  readonly pullRequest?: {
    readonly number: number;
    readonly baseBranch: string;
    /** true when the head lives in another repository (or was deleted): never secrets, never deploys */
    readonly fork: boolean;
  };
}

/** A pull request from the repository itself that closed (merged or not): its preview, if it has one, is removed. */
export interface ClosedPullRequest {
  readonly deliveryId: string;
  /** `owner/name` of the repository the pull request was opened on */
  readonly repository: string;
  readonly number: number;
  /** when it closed (epoch ms): the payload's `closed_at`, to the end of its second; absent when the payload has none */
  readonly closedAt?: number;
}

/** The normalizer's verdict on a delivery. */
export type Normalized =
  | { readonly action: 'build'; readonly event: SourceEvent }
  | { readonly action: 'close'; readonly closed: ClosedPullRequest }
  | { readonly action: 'ping' }
  | { readonly action: 'skip'; readonly reason: string };
