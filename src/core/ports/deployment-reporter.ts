import type { DeployRecord } from '../build.ts';

/** One deploy, as its GitHub deployment shows it. */
export interface DeploymentNotice {
  /** GitHub `owner/name` */
  readonly repository: string;
  /** the full commit sha deployed */
  readonly sha: string;
  readonly service: string;
  readonly build: string;
  /** the deploy record as it stands now */
  readonly deploy: DeployRecord;
  /** the build page */
  readonly logUrl: string;
  /** the deploy entry's `url`: where the environment answers */
  readonly environmentUrl?: string;
}

/**
 * Shows each deploy as a GitHub deployment. A deploy becomes one when it starts (or is held for
 * approval, or ends before it could start), once per deploy across processes and retries; each
 * notice posts the deploy's state as a deployment status, never one older than already posted.
 * Once a deployment succeeds, the one it replaces in the repository's environment is marked
 * `inactive` (by GitHub itself where it does so). `report` never throws: what cannot be posted is
 * logged with the build and deploy ids, and the deploy goes on.
 */
export interface DeploymentReporter {
  report(notice: DeploymentNotice): Promise<void>;
  /**
   * The environment is gone (a preview whose pull request closed): the deployment that last
   * succeeded there is marked `inactive` with `description`. Never throws, like `report`.
   */
  retire?(gone: { readonly repository: string; readonly environment: string; readonly description: string }): Promise<void>;
}
