import { SlipwayError } from '../../core/errors.ts';
import { engineFailure } from '../../docker/engine-error.ts';

/**
 * The error a failed Docker call becomes at the scheduler port: engine not reachable →
 * SCHEDULER_UNREACHABLE (retry); the engine refused (4xx: bad config, name conflict) or the
 * settings are invalid → SCHEDULER_REJECTED; an engine-side failure (5xx) → SCHEDULER_UNREACHABLE.
 */
export function schedulerError(err: unknown): SlipwayError {
  if (err instanceof SlipwayError) return err;
  const failure = engineFailure(err);
  if (failure.unreachable) {
    return new SlipwayError('SCHEDULER_UNREACHABLE', `the Docker engine is not reachable: ${failure.message}`, { cause: err });
  }
  if (failure.status !== undefined && failure.status < 500) {
    return new SlipwayError('SCHEDULER_REJECTED', `the Docker engine refused: ${failure.message}`, { cause: err });
  }
  return new SlipwayError('SCHEDULER_UNREACHABLE', `the Docker engine failed: ${failure.message}`, { cause: err });
}
