import type { StatusOrder } from './status-reporter.ts';

/**
 * Keeps each subject's commit statuses in order across processes (the server posts a build's
 * `Queued`, a worker its progress and outcome). `post` runs `send` unless a later step, or a final
 * status, was already sent for the subject, and never while another post for the subject is in
 * flight. Resolves true when it sent, false when it dropped the post. A failed `send` (it throws)
 * counts as not sent, so it may be retried.
 *
 * A live poster keeps its turn however long `send` takes; a poster that dies loses it within
 * seconds. `lost` aborts if the turn was lost all the same (the store unreachable for that long):
 * `send` should then stop and throw, so that its retry asks the gate again.
 */
export interface StatusGate {
  post(order: StatusOrder, send: (lost: AbortSignal) => Promise<void>): Promise<boolean>;
}
