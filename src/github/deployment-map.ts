import { isFinal, type DeployRecord } from '../core/build.ts';
import type { DeploymentNotice } from '../core/ports/deployment-reporter.ts';
import type { StatusStep } from '../core/ports/status-reporter.ts';
import { deployStatus, truncate } from '../core/status-map.ts';

/** GitHub's deployment status states (REST: create a deployment status). */
export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

/** What a deploy's state shows on its GitHub deployment. */
export interface DeploymentShown {
  readonly state: DeploymentState;
  /** false: posted only on a deployment already created (a deploy skipped before it started is none) */
  readonly create: boolean;
  /** queued → running → final: a status never goes back */
  readonly step: StatusStep;
  /** the status's description (≤ 140 characters) */
  readonly description: string;
}

/**
 * Deploy → GitHub deployment status; undefined: no deployment yet (a queued deploy). A deploy
 * becomes a deployment when it starts, when it is held for approval (`pending`), or when it ends
 * before it could start (`error`). One skipped after its deployment was created (a held deploy a
 * newer build replaced) leaves it `inactive`. Pure.
 */
export function deploymentShown(n: Pick<DeploymentNotice, 'service' | 'deploy' | 'logUrl'>): DeploymentShown | undefined {
  const base = { create: true, description: deployStatus(n.service, n.deploy, n.logUrl).description, step: stepOf(n.deploy) };
  switch (n.deploy.state) {
    case 'queued':
      return undefined;
    case 'running':
      return { ...base, state: 'in_progress' };
    case 'succeeded':
      return { ...base, state: 'success' };
    case 'failed':
    case 'rolled_back':
      return { ...base, state: 'failure' };
    case 'error':
      return { ...base, state: 'error' };
    case 'skipped':
      return { ...base, state: 'inactive', create: false };
    default:
      // Another outcome (a cancelled deploy) ends a deployment it has like a skipped one; a deploy
      // waiting for something other than a worker (an approval) has its deployment, pending.
      return isFinal(n.deploy.state) ? { ...base, state: 'inactive', create: false } : { ...base, state: 'pending' };
  }
}

function stepOf(deploy: DeployRecord): StatusStep {
  return isFinal(deploy.state) ? 2 : deploy.state === 'running' ? 1 : 0;
}

/** The deployment's own description: which build of what, and a rollback saying so. Pure. */
export function deploymentTitle(n: Pick<DeploymentNotice, 'service' | 'build' | 'sha' | 'deploy'>): string {
  const what = n.deploy.rollback ? 'Rollback to build' : 'Build';
  return truncate(`${what} ${n.build} (${n.sha.slice(0, 7)}) of ${n.service} to ${n.deploy.environment}, by Slipway`);
}

/** A preview (`pr-<number>`) lives as long as its pull request: a transient environment on GitHub. */
export function isPreviewEnvironment(environment: string): boolean {
  return /^pr-\d+$/.test(environment);
}

/**
 * Whether GitHub marks an environment's earlier successful deployments `inactive` itself on a new
 * success (`auto_inactive`, on by default): only for non-transient, non-production environments;
 * one named `production` is production unless the deployment says otherwise (Slipway does not).
 */
export function marksInactiveItself(environment: string): boolean {
  return environment !== 'production' && !isPreviewEnvironment(environment);
}
