export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  readonly state: CommitState;
  readonly context: string;
  readonly description: string;
  readonly targetUrl: string;
}

/**
 * Posts commit statuses. `report` never throws: a status that cannot be posted is logged for
 * the operator and the build goes on. It resolves once the status is posted (or given up on),
 * so a caller that awaits each report keeps one (sha, context) in order.
 */
export interface StatusReporter {
  report(repository: string, sha: string, status: CommitStatus): Promise<void>;
}
