import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/** Waiting reasons that do not go away by waiting (kubelet images/types.go, container/sync_result.go, kuberuntime). */
const STUCK = new Set([
  'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CrashLoopBackOff',
  'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
]);
/** Reasons of a failed image pull, which the kubelet keeps retrying. */
const PULLING = new Set(['ErrImagePull', 'ImagePullBackOff']);
/**
 * A pull failure in which the registry stumbled rather than answered (containerd's words for a
 * 5xx or 429 status, a refused or reset connection, a timeout): a later pull can pass, so it is
 * waited out until the deadline like kubectl does. A missing image (`code = NotFound`) or refused
 * access is not.
 */
const PASSING_PULL_FAILURE = /\b(?:429|500|502|503|504)\b|connection (?:refused|reset)|i\/o timeout|TLS handshake timeout|temporary failure|unexpected EOF/i;
/** Waiting reasons of a normal start. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

/** Why a pod of the new ReplicaSet is not ready, from its own status. */
export interface PodTrouble {
  readonly pod: string;
  readonly text: string;
  /** the kubelet's message for the waiting reason, if any */
  readonly message?: string;
  /** a container waits for a reason that will not fix itself (a bad image, a crash loop) */
  readonly stuck: boolean;
}

/** The trouble of the worst pod: stuck ones first, then those not ready. undefined: none to report. */
export function podTrouble(pods: readonly V1Pod[]): PodTrouble | undefined {
  const found = pods.flatMap((pod) => (pod.status?.containerStatuses ?? []).map((c) => containerTrouble(pod.metadata?.name ?? '', c)))
    .filter((t): t is PodTrouble => t !== undefined);
  return found.find((t) => t.stuck) ?? found[0] ?? unscheduled(pods);
}

function containerTrouble(pod: string, c: V1ContainerStatus): PodTrouble | undefined {
  const waiting = c.state?.waiting;
  const exited = c.lastState?.terminated;
  const exit = exited ? `; last exit code ${exited.exitCode}${exited.reason ? ` (${exited.reason})` : ''}, ${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}` : '';
  if (waiting?.reason && !STARTING.has(waiting.reason)) {
    const passing = PULLING.has(waiting.reason) && PASSING_PULL_FAILURE.test(waiting.message ?? '');
    return { pod, stuck: STUCK.has(waiting.reason) && !passing, message: waiting.message, text: `pod ${pod}: container ${c.name} ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}${exit}` };
  }
  if (c.state?.running && !c.ready) return { pod, stuck: false, text: `pod ${pod}: container ${c.name} is running but not ready${exit}` };
  return undefined;
}

function unscheduled(pods: readonly V1Pod[]): PodTrouble | undefined {
  for (const pod of pods) {
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False') return { pod: pod.metadata?.name ?? '', stuck: false, text: `pod ${pod.metadata?.name} is not scheduled: ${scheduled.reason ?? ''} ${scheduled.message ?? ''}`.trim() };
  }
  return undefined;
}

/**
 * The latest Warning event about a pod, as `Reason: message` — the kubelet's own words for a
 * failed pull, a back-off or a failing probe. The bare `Error: <waiting reason>` ones say less
 * than the pod's status already does and are passed over.
 */
export function lastWarning(events: readonly CoreV1Event[]): string | undefined {
  const when = (e: CoreV1Event) => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0).getTime();
  const warnings = [...events].reverse().filter((e) => e.type === 'Warning' && !/^Error: \w+$/.test(e.message ?? '')).sort((a, b) => when(b) - when(a));
  const e = warnings[0];
  if (!e) return undefined;
  return `${e.reason}: ${e.message}${(e.count ?? 1) > 1 ? ` (${e.count} times)` : ''}`;
}
