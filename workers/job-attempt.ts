import { UnrecoverableError, type Job } from 'bullmq';
import { isSlipwayError } from '../src/core/errors.ts';
import type { Attempt } from '../src/pipeline/deps.ts';

/** Whether this run of a job is its last allowed attempt. */
export function attemptOf(job: Job): Attempt {
  return { final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) };
}

/**
 * The one place Slipway's errors meet BullMQ's retry vocabulary: retryable errors are rethrown
 * for a retry with backoff, everything else becomes an UnrecoverableError.
 */
export function toBullError(err: unknown): Error {
  if (isSlipwayError(err) && err.retryable) return err;
  if (err instanceof UnrecoverableError) return err;
  return new UnrecoverableError(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}
