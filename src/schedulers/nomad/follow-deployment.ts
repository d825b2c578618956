import { setTimeout as sleep } from 'node:timers/promises';
import { seconds } from '../../core/duration.ts';
import { isSlipwayError, SlipwayError } from '../../core/errors.ts';
import type { LogSink } from '../../core/ports/build-log.ts';
import { awaitsPromotion, progressLine, shortId } from './deployment-progress.ts';
import type { NomadApi } from './nomad-api.ts';
import type { NomadDeployment, NomadEvaluation } from './nomad-types.ts';

/** What following one evaluation or deployment needs. */
export interface Follow {
  readonly api: NomadApi;
  readonly log: LogSink;
  readonly pollMs: number;
  /** epoch ms by which the rollout has to be done */
  readonly until: number;
  /** the deadline as given, for messages */
  readonly deadlineMs: number;
}

/** How a watched deployment ended; `failedByUs` when Slipway failed it at the deadline. */
export interface Watched {
  readonly deployment: NomadDeployment;
  readonly failedByUs: boolean;
  /** the version Nomad rolled back to when Slipway failed the deployment (null: none) */
  readonly revertedTo?: number | null;
}

const TERMINAL = new Set(['successful', 'failed', 'cancelled']);

/**
 * Polls an evaluation until Nomad has processed it (any status but `pending`). A cluster that
 * does not get to it before the deadline counts as unreachable: a retry finds the job registered
 * and follows its deployment.
 */
export async function waitForEvaluation(f: Follow, id: string): Promise<NomadEvaluation> {
  for (;;) {
    const evaluation = await f.api.evaluation(id);
    if (evaluation.Status !== 'pending') {
      const why = evaluation.StatusDescription ? ` (${evaluation.StatusDescription})` : '';
      f.log.line(`Evaluation ${shortId(id)}: ${evaluation.Status}${why}`);
      return evaluation;
    }
    if (Date.now() >= f.until) {
      throw new SlipwayError('SCHEDULER_UNREACHABLE', `Nomad did not process evaluation ${shortId(id)} within ${seconds(f.deadlineMs)}`);
    }
    await sleep(f.pollMs);
  }
}

/**
 * Follows a deployment until it is successful, failed or cancelled, logging progress as it
 * changes and promoting canaries that wait for it. At the deadline Slipway fails the deployment
 * itself (`POST /v1/deployment/fail/:id`), so Nomad's auto-revert kicks in.
 */
export async function watchDeployment(f: Follow, first: NomadDeployment): Promise<Watched> {
  let d = first;
  let said = '';
  for (;;) {
    const line = progressLine(d);
    if (line !== said) f.log.line((said = line));
    if (TERMINAL.has(d.Status)) {
      f.log.line(`Deployment ${shortId(d.ID)}: ${d.Status} (${d.StatusDescription})`);
      return { deployment: d, failedByUs: false };
    }
    if (awaitsPromotion(d)) {
      f.log.line(`Deployment ${shortId(d.ID)}: canaries are healthy; promoting them`);
      await f.api.promote(d.ID);
    }
    if (Date.now() >= f.until) return failAtDeadline(f, d);
    await sleep(Math.max(0, Math.min(f.pollMs, f.until - Date.now())));
    d = await f.api.deployment(d.ID);
  }
}

async function failAtDeadline(f: Follow, d: NomadDeployment): Promise<Watched> {
  f.log.line(`Deployment ${shortId(d.ID)} did not succeed within ${seconds(f.deadlineMs)}; marking it failed so Nomad rolls back`);
  try {
    const answer = await f.api.fail(d.ID);
    const failed = await f.api.deployment(d.ID);
    f.log.line(`Deployment ${shortId(d.ID)}: ${failed.Status} (${failed.StatusDescription})`);
    return { deployment: failed, failedByUs: true, revertedTo: answer.RevertedJobVersion ?? null };
  } catch (err) {
    // it may have finished between the last look and the fail call
    if (!isSlipwayError(err, 'SCHEDULER_REJECTED')) throw err;
    const now = await f.api.deployment(d.ID);
    if (!TERMINAL.has(now.Status)) throw err;
    f.log.line(`Deployment ${shortId(d.ID)}: ${now.Status} (${now.StatusDescription})`);
    return { deployment: now, failedByUs: false };
  }
}

/**
 * After an auto-revert: follows the deployment of the reverted version for up to one more
 * deadline, so "rolled back" means the previous release runs again. Returns a problem to add to
 * the detail, or undefined when the revert went through.
 */
export async function followRevert(f: Follow, jobId: string, revertVersion: number): Promise<string | undefined> {
  const again: Follow = { ...f, until: Date.now() + f.deadlineMs };
  let deployment: NomadDeployment | undefined;
  while (!deployment) {
    deployment = (await f.api.deployments(jobId)).find((d) => d.JobVersion === revertVersion);
    if (deployment) break;
    if (Date.now() >= again.until) return `Nomad started no deployment for the rollback (job version ${revertVersion})`;
    await sleep(f.pollMs);
  }
  const end = await watchRevert(again, deployment);
  return end.Status === 'successful' ? undefined : `the rollback (job version ${revertVersion}) is ${end.Status}: ${end.StatusDescription}`;
}

async function watchRevert(f: Follow, first: NomadDeployment): Promise<NomadDeployment> {
  let d = first;
  let said = '';
  while (!TERMINAL.has(d.Status) && Date.now() < f.until) {
    const line = progressLine(d);
    if (line !== said) f.log.line((said = line));
    await sleep(f.pollMs);
    d = await f.api.deployment(d.ID);
  }
  f.log.line(`Deployment ${shortId(d.ID)}: ${d.Status} (${d.StatusDescription})`);
  return d;
}
