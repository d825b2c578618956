import { delimiter } from 'node:path';
import { KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { describeError, SlipwayError } from '../../core/errors.ts';
import { pinnedName } from '../../core/image.ts';
import type { LogSink } from '../../core/ports/build-log.ts';
import type { Deployment, Release, Scheduler } from '../../core/ports/scheduler.ts';
import { seconds } from '../health-check.ts';
import { parseSettings } from '../parse-settings.ts';
import { imagePatch, targetContainer } from './image-patch.ts';
import { createKubernetesApi, type KubernetesApi } from './kubernetes-api.ts';
import { KubernetesRefusal } from './kubernetes-error.ts';
import { controlledBy, labelSelector, revisionOf } from './revision.ts';
import { rolloutStatus } from './rollout-status.ts';
import { undoTo } from './rollout-undo.ts';
import { KubernetesSettingsSchema } from './settings.ts';
import { pause, waitForRollout, type RolloutWait } from './wait-rollout.ts';

/** Knobs for tests and tuning; production uses the defaults. */
export interface KubernetesSchedulerOptions {
  /** time between two looks at the Deployment; default 1 s */
  readonly pollIntervalMs?: number;
}

/** Patches that met a 409 Conflict are read again and retried this many times in all. */
const PATCH_ATTEMPTS = 3;

/** One rollout's fixed facts, handed from step to step. */
interface Rollout {
  readonly api: KubernetesApi;
  readonly log: LogSink;
  readonly release: Release;
  readonly namespace: string;
  readonly name: string;
  readonly container: string | undefined;
  readonly image: string;
  readonly wait: Omit<RolloutWait, 'judgePods'>;
}

/**
 * The `kubernetes` scheduler: sets the image of one container of an existing Deployment to the
 * pushed digest with a strategic merge patch (conditional on the resourceVersion read; a 409 is
 * read again and retried), then follows the rollout as `kubectl rollout status` does, failing early
 * when the new pods are stuck (ImagePullBackOff, CrashLoopBackOff…). A rollout that fails is undone
 * as `kubectl rollout undo --to-revision=<the revision that ran before>` does, and that rollout is
 * followed too: `rolled_back`, with the pods' own reason. `kc` is the connection (kubeConfigFrom:
 * as kubectl connects).
 */
export function createKubernetesScheduler(kc: KubeConfig, options: KubernetesSchedulerOptions = {}): Scheduler {
  const api = createKubernetesApi(kc);
  return {
    async deploy(release, log, { deadlineMs, signal }) {
      const settings = parseSettings('kubernetes', KubernetesSettingsSchema, release.settings);
      const namespace = settings.namespace ?? api.contextNamespace ?? 'default';
      const name = settings.deployment;
      log.line(`Deployment ${namespace}/${name} on ${api.server} (context ${api.context})`);
      const wait = { api, log, namespace, name, deadlineMs, pollMs: options.pollIntervalMs ?? 1000, signal };
      return rollOut({ api, log, release, namespace, name, container: settings.container, image: pinnedName(release.image), wait });
    },
  };
}

/**
 * The connection kubectl would use: the files KUBECONFIG names (`:`-separated, the first one's
 * current context, the others merged in, as client-node's loadFromDefault does with the variable),
 * else ~/.kube/config, else the in-cluster service account.
 */
export function kubeConfigFrom(kubeconfig: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  const files = (kubeconfig ?? '').split(delimiter).filter(Boolean);
  if (files.length === 0) {
    kc.loadFromDefault();
    return kc;
  }
  try {
    kc.loadFromFile(files[0]!);
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more);
    }
  } catch (err) {
    throw new SlipwayError('SCHEDULER_REJECTED', `cannot load the kubeconfig KUBECONFIG names (${kubeconfig}): ${describeError(err)}`, { cause: err });
  }
  return kc;
}

async function rollOut(r: Rollout): Promise<Deployment> {
  for (let attempt = 1; ; attempt++) {
    const d = await observed(r);
    const container = targetContainer(d, r.container);
    if (d.spec?.paused) {
      throw new SlipwayError('SCHEDULER_REJECTED', `deployment "${r.name}" is paused: it would not roll out; resume it first (kubectl rollout resume deployment/${r.name})`);
    }
    if (container.image === r.image) return sameImage(r, d);
    const before = { revision: revisionOf(d), image: container.image };
    r.log.line(`Setting container ${container.name} of deployment ${r.name} (revision ${before.revision ?? 'none'}, ${container.image}) to ${r.release.image.tag}: ${r.image}`);
    try {
      const patched = await r.api.mergePatch(r.namespace, r.name, imagePatch(d.metadata?.resourceVersion ?? '', container.name, r.image));
      r.log.line(`Patched deployment ${r.name}: generation ${patched.metadata?.generation}`);
      return follow(r, before);
    } catch (err) {
      if (!(err instanceof KubernetesRefusal && err.status === 409) || attempt === PATCH_ATTEMPTS) throw err;
      r.log.line(`Deployment ${r.name} changed since Slipway read it (409 Conflict); reading it again`);
    }
  }
}

/**
 * The Deployment once the controller has acted on its latest spec: only then do its revision and
 * status say what runs (right after a `kubectl apply`, they may not yet).
 */
async function observed(r: Rollout): Promise<V1Deployment> {
  const until = Date.now() + r.wait.deadlineMs;
  for (;;) {
    const d = await r.api.deployment(r.namespace, r.name);
    if (rolloutStatus(d).observed) return d;
    if (Date.now() >= until) {
      throw new SlipwayError('SCHEDULER_REJECTED', `the Deployment controller has not observed deployment "${r.name}" generation ${d.metadata?.generation} within ${seconds(r.wait.deadlineMs)}: is kube-controller-manager running?`);
    }
    await pause(r.wait.pollMs, r.wait.signal);
  }
}

/** The image already set: nothing to patch; it succeeds once that rollout is (or is already) done. */
async function sameImage(r: Rollout, d: V1Deployment): Promise<Deployment> {
  if (rolloutStatus(d).state === 'done') {
    r.log.line(`${r.release.image.tag} already runs in deployment ${r.name} (revision ${revisionOf(d) ?? 'none'}); nothing to do`);
    return { outcome: 'succeeded', detail: 'already running' };
  }
  r.log.line(`Deployment ${r.name} already has ${r.release.image.tag}; waiting for its rollout to finish`);
  const end = await waitForRollout({ ...r.wait, judgePods: true });
  return end.ok ? { outcome: 'succeeded', detail: succeeded(end.deployment) } : { outcome: 'failed', detail: end.why };
}

async function follow(r: Rollout, before: { revision?: number; image?: string }): Promise<Deployment> {
  const end = await waitForRollout({ ...r.wait, judgePods: true });
  if (end.ok) {
    r.log.line(`Rolled out in ${seconds(end.afterMs)}`);
    return { outcome: 'succeeded', detail: succeeded(end.deployment), previous: before.image };
  }
  r.log.line(`Rollout failed: ${end.why}`);
  if (before.revision === undefined) {
    r.log.line(`Not rolling back: deployment ${r.name} had no revision before this one`);
    return { outcome: 'failed', detail: end.why, previous: before.image };
  }
  const undone = await undo(r, end.deployment, before.revision);
  if (undone !== undefined) return { outcome: 'failed', detail: `${end.why}; not rolled back: ${undone}`, previous: before.image };
  const back = await waitForRollout({ ...r.wait, judgePods: false });
  const trouble = back.ok ? '' : `; the rollback to revision ${before.revision} did not finish: ${back.why}`;
  return { outcome: 'rolled_back', detail: `${end.why}${trouble}`, previous: before.image };
}

/**
 * `kubectl rollout undo --to-revision=<revision>` unless someone else has moved the Deployment on
 * since (it is no longer at the failed revision). Returns why nothing was sent, or undefined.
 */
async function undo(r: Rollout, failed: V1Deployment, revision: number): Promise<string | undefined> {
  try {
    const d = await r.api.deployment(r.namespace, r.name);
    if (revisionOf(d) !== revisionOf(failed) || d.metadata?.generation !== failed.metadata?.generation) {
      return `deployment ${r.name} was changed by someone else meanwhile (now revision ${revisionOf(d) ?? 'none'}, generation ${d.metadata?.generation})`;
    }
    const controlled = controlledBy(d, await r.api.replicaSets(r.namespace, labelSelector(d.spec?.selector?.matchLabels)));
    const plan = undoTo(d, controlled, revision);
    if ('refused' in plan) return plan.refused;
    await r.api.jsonPatch(r.namespace, r.name, plan.patch);
    r.log.line(`deployment.apps/${r.name} rolled back to revision ${revision} (as kubectl rollout undo --to-revision=${revision})`);
    return undefined;
  } catch (err) {
    return describeError(err);
  }
}

function succeeded(d: V1Deployment): string {
  const s = d.status ?? {};
  return `${rolloutStatus(d).message} (revision ${revisionOf(d) ?? '?'}, ${s.availableReplicas ?? 0}/${d.spec?.replicas ?? 0} available)`;
}
