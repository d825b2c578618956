import type { LogSink } from './build-log.ts';
import type { Scheduler } from './scheduler.ts';

/** One preview where a scheduler runs it: `settings` is the adapter's own validated preview block. */
export interface PreviewPlace {
  readonly service: string;
  /** `pr-<number>` */
  readonly environment: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * What a scheduler needs beyond `deploy` to run previews (a separate capability: a pipeline's
 * `preview:` may only name a scheduler that has it). Callers hold the (service, environment)
 * deploy lease around both calls, as around `deploy`.
 */
export interface PreviewScheduler {
  /**
   * The deploy settings of one preview from its preview block: what `deploy` then gets as the
   * release's settings. The same place gets the same settings on every redeploy until `remove`
   * (the docker adapter: its own port from the block's `ports`, also returned as `port` for the
   * preview's URL). Throws SCHEDULER_REJECTED when it cannot place the preview (no port left).
   */
  prepare(place: PreviewPlace): Promise<{ readonly settings: Readonly<Record<string, unknown>>; readonly port?: number }>;
  /**
   * Removes everything that runs the preview and gives back what `prepare` took. Idempotent:
   * removing a preview that is gone (or never ran) succeeds. Throws SCHEDULER_UNREACHABLE when
   * the scheduler cannot be reached (retry).
   */
  remove(place: PreviewPlace, log: LogSink): Promise<void>;
}

/** Whether `scheduler` can run previews. */
export function canPreview(scheduler: Scheduler | undefined): scheduler is Scheduler & PreviewScheduler {
  const s = scheduler as Partial<PreviewScheduler> | undefined;
  return typeof s?.prepare === 'function' && typeof s.remove === 'function';
}
