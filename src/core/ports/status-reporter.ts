export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  readonly state: CommitState;
  readonly context: string;
  readonly description: string;
  readonly targetUrl: string;
}

/**
 * Posts commit statuses. `report` never throws: a status that cannot be posted is logged for
 * the operator and the build goes on. Reports for one (sha, context) are posted in call order.
 */
export interface StatusReporter {
  report(repository: string, sha: string, status: CommitStatus): Promise<void>;
}
