import type { PushedImage } from '../image.ts';
import type { LogSink } from './build-log.ts';

/** What to roll out, and where. `settings` is the adapter's own validated pipeline block. */
export interface Release {
  readonly service: string;
  readonly environment: string;
  readonly image: PushedImage;
  readonly sha: string;
  readonly buildId: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * How a rollout ended. `succeeded`: the new release is running and healthy. `rolled_back`: it
 * did not become healthy and the previous release runs again. `failed`: it did not become
 * healthy and there was nothing to go back to. `detail` is the scheduler's own reason.
 */
export interface Deployment {
  readonly outcome: 'succeeded' | 'rolled_back' | 'failed';
  readonly detail: string;
  /** the image that ran before, if any */
  readonly previous?: string;
}

/**
 * A scheduler adapter. `deploy` rolls the release out, waits for health within `deadlineMs`,
 * and rolls back on failure. Deploying the image that already runs is a no-op that succeeds.
 * `deadlineMs` bounds the wait for health once the new release is started (pulling the image
 * is not counted); a rollback's own wait for the previous release gets the same bound.
 * Callers run at most one `deploy` at a time per (service, environment), and abort `signal` when
 * they can no longer promise that: the adapter then stops waiting and rejects soon after (what it
 * already changed stays as it is; the caller records the deploy as `error`).
 * Throws SCHEDULER_REJECTED when the scheduler refuses the job (no retry) and
 * SCHEDULER_UNREACHABLE when it cannot be reached (retry with backoff).
 */
export interface Scheduler {
  deploy(release: Release, log: LogSink, options: { deadlineMs: number; signal?: AbortSignal }): Promise<Deployment>;
}
