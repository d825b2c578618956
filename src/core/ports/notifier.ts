import type { Deployment } from './scheduler.ts';

/** Everything a deploy message says. */
export interface DeployNotice {
  readonly service: string;
  readonly repository: string;
  readonly environment: string;
  readonly sha: string;
  readonly message?: string;
  readonly author?: string;
  readonly durationMs: number;
  readonly buildUrl: string;
  /** the build and deploy ids, for the operator's log lines */
  readonly build: string;
  readonly deploy: string;
  readonly outcome: Deployment['outcome'] | 'error';
  readonly detail: string;
  /** the deploy put an earlier build back (`slipway rollback`) */
  readonly rollback?: boolean;
  /** asked for by a person (`slipway deploy`, `promote`, `approve`): the message says how, and says when it went back */
  readonly requested?: 'deploy' | 'promote' | 'approval';
  /** a promotion's source environment */
  readonly from?: string;
  /** the newer sha a deploy a person asked for went back from */
  readonly backFrom?: string;
}

/** Tells people how a deploy went. `notify` never throws: a notice that cannot be sent is logged. */
export interface Notifier {
  notify(notice: DeployNotice): Promise<void>;
}
