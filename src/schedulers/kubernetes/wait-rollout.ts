import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Deployment } from '@kubernetes/client-node';
import type { LogSink } from '../../core/ports/build-log.ts';
import { seconds } from '../health-check.ts';
import type { KubernetesApi } from './kubernetes-api.ts';
import { lastWarning, podTrouble } from './pod-trouble.ts';
import { controlledBy, labelSelector, revisionOf } from './revision.ts';
import { rolloutStatus } from './rollout-status.ts';

/** One wait for a Deployment's rollout. */
export interface RolloutWait {
  readonly api: KubernetesApi;
  readonly log: LogSink;
  readonly namespace: string;
  readonly name: string;
  readonly deadlineMs: number;
  readonly pollMs: number;
  readonly signal?: AbortSignal;
  /**
   * Judge the new ReplicaSet's pods too: a container stuck in ImagePullBackOff, CrashLoopBackOff
   * and the like fails the rollout at once instead of at the deadline. Off for a rollback's wait,
   * which also sits out a ProgressDeadlineExceeded left over from the failed rollout.
   */
  readonly judgePods: boolean;
}

export type RolloutEnd =
  | { readonly ok: true; readonly deployment: V1Deployment; readonly afterMs: number }
  | { readonly ok: false; readonly deployment: V1Deployment; readonly why: string };

/**
 * Polls the Deployment and decides as `kubectl rollout status` does (rollout-status.ts), bounded by
 * `deadlineMs`. A failure says why in the pods' own words (their waiting reason, the kubelet's
 * last warning event), not just that time ran out. Logs each new kubectl message and the revision
 * the controller gave the new template once it observed it.
 */
export async function waitForRollout(w: RolloutWait): Promise<RolloutEnd> {
  const started = Date.now();
  let said = '';
  let revision: number | undefined;
  for (;;) {
    w.signal?.throwIfAborted();
    const d = await w.api.deployment(w.namespace, w.name);
    const status = rolloutStatus(d);
    if (status.observed && revision === undefined && (revision = revisionOf(d)) !== undefined) w.log.line(`Deployment ${w.name} is at revision ${revision}`);
    if (status.message !== said) w.log.line((said = status.message));
    if (status.state === 'done') return { ok: true, deployment: d, afterMs: Date.now() - started };
    if (status.state === 'failed' && w.judgePods) return { ok: false, deployment: d, why: await explain(w, d, status.message) };
    if (status.observed && w.judgePods) {
      const trouble = podTrouble(await newPods(w, d));
      if (trouble?.stuck) return { ok: false, deployment: d, why: await explain(w, d, trouble.text) };
    }
    if (Date.now() - started >= w.deadlineMs) {
      return { ok: false, deployment: d, why: await explain(w, d, `not rolled out within ${seconds(w.deadlineMs)} (${status.message.replace(/\.+$/, '')})`) };
    }
    await pause(Math.min(w.pollMs, Math.max(0, started + w.deadlineMs - Date.now())), w.signal);
  }
}

/** Sleeps `ms`; an abort rejects with the signal's own reason (what the caller gave), not a bare AbortError. */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await sleep(ms, undefined, { signal }).catch((err: unknown) => {
    signal?.throwIfAborted();
    throw err;
  });
}

/** `headline`, then what the pods of the new ReplicaSet say (their status, the kubelet's last warning). */
async function explain(w: RolloutWait, d: V1Deployment, headline: string): Promise<string> {
  const pods = await newPods(w, d);
  const trouble = podTrouble(pods);
  const parts = [headline];
  if (trouble && trouble.text !== headline) parts.push(trouble.text);
  const pod = trouble?.pod ?? pods[0]?.metadata?.name;
  const warning = pod ? lastWarning(await w.api.events(w.namespace, pod)) : undefined;
  if (warning && !(trouble?.message && warning.includes(trouble.message))) parts.push(`last event: ${warning}`);
  return parts.join('; ');
}

/** The pods of the ReplicaSet at the Deployment's revision (its pod-template-hash). */
async function newPods(w: RolloutWait, d: V1Deployment) {
  const selector = labelSelector(d.spec?.selector?.matchLabels);
  const revision = revisionOf(d);
  const rs = controlledBy(d, await w.api.replicaSets(w.namespace, selector)).find((r) => revisionOf(r) === revision);
  const hash = rs?.metadata?.labels?.['pod-template-hash'];
  if (!hash) return [];
  return w.api.pods(w.namespace, [selector, `pod-template-hash=${hash}`].filter(Boolean).join(','));
}
