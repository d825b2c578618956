import { seconds } from '../../core/duration.ts';
import { describeError, isSlipwayError, SlipwayError } from '../../core/errors.ts';
import { pinnedName } from '../../core/image.ts';
import type { Deployment, Release, Scheduler } from '../../core/ports/scheduler.ts';
import { parseSettings } from '../parse-settings.ts';
import { allocationFailure } from './allocation-failure.ts';
import { shortId } from './deployment-progress.ts';
import { followRevert, waitForEvaluation, watchDeployment, type Follow, type Watched } from './follow-deployment.ts';
import { jobImage, latestStableBefore, versionLabel } from './job-facts.ts';
import { nomadJob, type NomadJobSpec } from './job-spec.ts';
import { createNomadApi } from './nomad-api.ts';
import { createNomadClient, type NomadConnection } from './nomad-client.ts';
import type { NomadDeployment, NomadJob, RegisterResponse } from './nomad-types.ts';
import { hasPlacementFailures, placementFailure } from './placement-failure.ts';
import { planSummary } from './plan-summary.ts';
import { NomadSettingsSchema } from './settings.ts';

/** Knobs for tests and tuning; production uses the defaults. */
export interface NomadSchedulerOptions {
  /** time between looks at an evaluation or deployment; default 1 s */
  readonly pollIntervalMs?: number;
  /** dry-run the job first (`/plan`) and refuse one Nomad cannot place; default true */
  readonly plan?: boolean;
  readonly fetch?: typeof fetch;
}

/** One rollout's fixed facts, handed from step to step. */
interface Rollout extends Follow {
  readonly release: Release;
  readonly spec: NomadJobSpec;
  readonly image: string;
  readonly plan: boolean;
}

/**
 * The `nomad` scheduler: one service job per (service, environment) in NOMAD_NAMESPACE, rolled
 * out by Nomad itself. A rollout reads the job (none: a new one); when it already runs exactly
 * this release and its latest deployment succeeded, it does nothing. Otherwise it plans the job
 * (a job Nomad cannot place is refused before anything changes), registers it check-and-set on
 * the JobModifyIndex it read (someone else's change in between → read again and retry once),
 * follows the evaluation and then the deployment of the registered version until Nomad calls it
 * successful or failed, failing it itself at the deadline. A failed deployment that Nomad
 * auto-reverted is `rolled_back` (once the reverted version is deployed again); without a stable
 * version to go back to it is `failed`. Every step goes to the build log.
 */
export function createNomadScheduler(connection: NomadConnection, options: NomadSchedulerOptions = {}): Scheduler {
  const api = createNomadApi(createNomadClient(connection, options.fetch));
  return {
    async deploy(release, log, { deadlineMs }) {
      const until = Date.now() + deadlineMs;
      const spec = nomadJob(release, parseSettings('nomad', NomadSettingsSchema, release.settings)).Job;
      const image = pinnedName(release.image);
      return rollOut({ api, log, pollMs: options.pollIntervalMs ?? 1000, until, deadlineMs, release, spec, image, plan: options.plan ?? true });
    },
  };
}

async function rollOut(r: Rollout): Promise<Deployment> {
  for (let attempt = 1; ; attempt++) {
    const current = await readJob(r);
    if (await alreadyRunning(r, current)) return { outcome: 'succeeded', detail: 'already running' };
    if (r.plan) await planOrRefuse(r);
    const registered = await register(r, current);
    if (registered) return follow(r, current, registered);
    if (attempt === 2) {
      throw new SlipwayError('SCHEDULER_REJECTED', `job ${r.spec.ID} was changed by someone else twice while Slipway deployed it; not overwriting it`);
    }
  }
}

async function readJob(r: Rollout): Promise<NomadJob | undefined> {
  const job = await r.api.job(r.spec.ID);
  if (!job) r.log.line(`Job ${r.spec.ID} does not exist yet`);
  else r.log.line(`Job ${r.spec.ID} is at ${versionLabel(job)}, ${job.Stop ? 'stopped' : job.Status}`);
  return job;
}

/** Exactly this release (same image, same settings) already runs, and its deployment succeeded. */
async function alreadyRunning(r: Rollout, job: NomadJob | undefined): Promise<boolean> {
  if (!job || job.Stop || jobImage(job) !== r.image || job.Meta?.slipway_spec !== r.spec.Meta.slipway_spec) return false;
  const latest = await r.api.latestDeployment(r.spec.ID);
  if (latest?.JobVersion !== job.Version || latest.Status !== 'successful') return false;
  r.log.line(`${r.release.image.tag} already runs as job ${r.spec.ID} ${versionLabel(job)} (deployment ${shortId(latest.ID)} successful); nothing to do`);
  return true;
}

async function planOrRefuse(r: Rollout): Promise<void> {
  const plan = await r.api.plan(r.spec);
  r.log.line(`Plan for job ${r.spec.ID}: ${planSummary(plan)}`);
  if (plan.Warnings) r.log.line(`Nomad warns: ${plan.Warnings.trim()}`);
  if (hasPlacementFailures(plan.FailedTGAllocs)) {
    throw new SlipwayError('SCHEDULER_REJECTED', `Nomad cannot place job ${r.spec.ID}: ${placementFailure(plan.FailedTGAllocs)}`);
  }
}

/**
 * Registers the job check-and-set on the JobModifyIndex read. On a refusal, a job whose index
 * moved means someone else changed it in between: undefined, so the caller reads it again.
 */
async function register(r: Rollout, current: NomadJob | undefined): Promise<RegisterResponse | undefined> {
  const index = current?.JobModifyIndex ?? 0;
  r.log.line(`Registering job ${r.spec.ID} version ${current ? current.Version + 1 : 0} (${r.release.image.tag})`);
  try {
    const registered = await r.api.register(r.spec, index);
    if (registered.Warnings) r.log.line(`Nomad warns: ${registered.Warnings.trim()}`);
    return registered;
  } catch (err) {
    if (!isSlipwayError(err, 'SCHEDULER_REJECTED')) throw err;
    const now = await r.api.job(r.spec.ID);
    if ((now?.JobModifyIndex ?? 0) === index) throw err;
    r.log.line(`Job ${r.spec.ID} was changed by someone else since Slipway read it (modify index ${index} → ${now?.JobModifyIndex}); reading it again`);
    return undefined;
  }
}

async function follow(r: Rollout, previous: NomadJob | undefined, registered: RegisterResponse): Promise<Deployment> {
  const evaluation = await waitForEvaluation(r, registered.EvalID);
  if (evaluation.Status !== 'complete' || hasPlacementFailures(evaluation.FailedTGAllocs)) {
    const why = hasPlacementFailures(evaluation.FailedTGAllocs)
      ? `Nomad cannot place job ${r.spec.ID}: ${placementFailure(evaluation.FailedTGAllocs)}`
      : `Nomad's evaluation ${shortId(evaluation.ID)} of job ${r.spec.ID} is ${evaluation.Status}: ${evaluation.StatusDescription ?? ''}`;
    await undoRegistration(r, previous, registered);
    throw new SlipwayError('SCHEDULER_REJECTED', why);
  }
  const job = await r.api.job(r.spec.ID);
  if (!job) throw new SlipwayError('SCHEDULER_REJECTED', `job ${r.spec.ID} disappeared right after it was registered`);
  const deployment = await deploymentOf(r, evaluation.DeploymentID, job.Version);
  r.log.line(`Deployment ${shortId(deployment.ID)} rolls out job ${r.spec.ID} version ${deployment.JobVersion}`);
  return conclude(r, await watchDeployment(r, deployment), previous);
}

/** The deployment of the registered version: the evaluation's, or the newest one for that version. */
async function deploymentOf(r: Rollout, fromEvaluation: string | undefined, version: number): Promise<NomadDeployment> {
  if (fromEvaluation) return r.api.deployment(fromEvaluation);
  const found = (await r.api.deployments(r.spec.ID)).find((d) => d.JobVersion === version);
  if (!found) throw new SlipwayError('SCHEDULER_REJECTED', `Nomad started no deployment for job ${r.spec.ID} version ${version}`);
  return found;
}

/** A registered version Nomad cannot place: put back what ran before (or stop a new job). */
async function undoRegistration(r: Rollout, previous: NomadJob | undefined, registered: RegisterResponse): Promise<void> {
  try {
    const now = await r.api.job(r.spec.ID);
    if (!now || now.JobModifyIndex !== registered.JobModifyIndex) return; // someone else moved on
    if (previous) {
      r.log.line(`Reverting job ${r.spec.ID} to ${versionLabel(previous)}`);
      await r.api.revert(r.spec.ID, previous.Version, now.Version);
    } else {
      r.log.line(`Stopping job ${r.spec.ID}: it is new and cannot be placed`);
      await r.api.stop(r.spec.ID);
    }
  } catch (err) {
    r.log.line(`Could not undo the registration of job ${r.spec.ID}: ${describeError(err)}`);
  }
}

/** Turns the end of a deployment into the port's outcome, with Nomad's own words in the detail. */
async function conclude(r: Rollout, watched: Watched, previous: NomadJob | undefined): Promise<Deployment> {
  const d = watched.deployment;
  const before = previous && jobImage(previous);
  if (d.Status === 'successful') {
    const groups = Object.values(d.TaskGroups ?? {});
    const healthy = `${groups.reduce((n, g) => n + g.HealthyAllocs, 0)}/${groups.reduce((n, g) => n + g.DesiredTotal, 0)} healthy`;
    return { outcome: 'succeeded', detail: `${d.StatusDescription} (job version ${d.JobVersion}, ${healthy})`, previous: before };
  }
  const reason = allocationFailure(await r.api.allocations(r.spec.ID), d.JobVersion);
  if (reason) r.log.line(reason[0]!.toUpperCase() + reason.slice(1));
  const detail = `${watched.failedByUs ? `not healthy within ${seconds(r.deadlineMs)}: ` : ''}${d.StatusDescription}${reason ? ` (${reason})` : ''}`;
  const target = d.Status === 'failed' ? await revertTarget(r, d.JobVersion, watched.revertedTo) : undefined;
  if (!target) {
    r.log.line(d.Status === 'failed' ? 'Nomad did not roll back: there is no stable job version to go back to (or auto_revert is off)' : `Job ${r.spec.ID} moved on without this release`);
    return { outcome: 'failed', detail, previous: before };
  }
  r.log.line(`Nomad rolled back to ${versionLabel(target.stable)} as job version ${target.revert}`);
  const trouble = await followRevert(r, r.spec.ID, target.revert);
  return { outcome: 'rolled_back', detail: trouble ? `${detail}; ${trouble}` : detail, previous: jobImage(target.stable) };
}

/**
 * The version Nomad rolled back to and the new version it registered for that, when it did:
 * the job has moved past the failed version, to a copy of its newest stable predecessor.
 */
async function revertTarget(r: Rollout, failedVersion: number, revertedTo: number | null | undefined): Promise<{ stable: NomadJob; revert: number } | undefined> {
  if (revertedTo === null) return undefined;
  const job = await r.api.job(r.spec.ID);
  if (!job || job.Version <= failedVersion) return undefined;
  const versions = await r.api.versions(r.spec.ID);
  const stable = revertedTo === undefined ? latestStableBefore(versions, failedVersion) : versions.find((v) => v.Version === revertedTo);
  return stable ? { stable, revert: job.Version } : undefined;
}
