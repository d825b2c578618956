export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  readonly state: CommitState;
  readonly context: string;
  readonly description: string;
  readonly targetUrl: string;
}

/**
 * Where a status stands in the life of what it is about. A status never goes back: once a later
 * step was posted for a subject, an earlier one (a retried or late `pending`) is dropped, not sent,
 * and a subject gets one final status.
 */
export interface StatusOrder {
  /** what the status is about: one build (`build:12`) or one deploy (`deploy:40`) */
  readonly subject: string;
  readonly step: StatusStep;
}

/** What a status is about: its place in order, and the build (and deploy) the operator's log lines name. */
export interface StatusAbout extends StatusOrder {
  readonly build: string;
  readonly deploy?: string;
}

/** queued → running → final */
export type StatusStep = 0 | 1 | 2;
export const FINAL_STEP: StatusStep = 2;

/**
 * Posts commit statuses. `report` never throws: a status that cannot be posted is logged for
 * the operator and the build goes on. It resolves once the status is posted (or given up on),
 * so a caller that awaits each report keeps one (sha, context) in order; with `about`, posts for one
 * subject stay in order across processes too.
 */
export interface StatusReporter {
  report(repository: string, sha: string, status: CommitStatus, about?: StatusAbout): Promise<void>;
}
