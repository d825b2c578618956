import type { StatusOrder } from './status-reporter.ts';

/**
 * Keeps each subject's commit statuses in order across processes (the server posts a build's
 * `Queued`, a worker its progress and outcome). `post` runs `send` unless a later step, or a final
 * status, was already sent for the subject, and never while another post for the subject is in
 * flight. Resolves true when it sent, false when it dropped the post. A failed `send` (it throws)
 * counts as not sent, so it may be retried.
 */
export interface StatusGate {
  post(order: StatusOrder, send: () => Promise<void>): Promise<boolean>;
}
