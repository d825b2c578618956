/**
 * The error catalog. Every failure Slipway raises on purpose carries a stable `code`, says whether
 * trying again could help (`retryable`), and keeps the underlying `cause`. Callers branch on
 * `code`/`retryable`, never on message text. Only the worker boundary turns `retryable` into
 * BullMQ's vocabulary.
 */
export const ErrorCodes = {
  CONFIG_INVALID: { retryable: false, summary: 'configuration is invalid' },
  PIPELINE_INVALID: { retryable: false, summary: 'a pipeline definition is invalid' },
  REF_INVALID: { retryable: false, summary: 'a git reference or URL is not acceptable' },
  SOURCE_UNAVAILABLE: { retryable: true, summary: 'the repository could not be fetched' },
  APP_NOT_INSTALLED: { retryable: false, summary: 'the GitHub App is not installed on the repository' },
  COMMIT_NOT_FOUND: { retryable: false, summary: 'the commit is not in the repository' },
  BUILD_FAILED: { retryable: false, summary: 'the image build failed' },
  DOCKER_UNAVAILABLE: { retryable: true, summary: 'the Docker engine is not reachable' },
  TEST_INFRA_FAILED: { retryable: true, summary: 'the test container could not be run' },
  REGISTRY_UNREACHABLE: { retryable: true, summary: 'the registry is not reachable' },
  REGISTRY_DENIED: { retryable: false, summary: 'the registry refused the push' },
  SCHEDULER_UNREACHABLE: { retryable: true, summary: 'the scheduler is not reachable' },
  SCHEDULER_REJECTED: { retryable: false, summary: 'the scheduler rejected the deployment' },
  SWARM_NOT_MANAGER: { retryable: false, summary: 'the Docker engine a swarm deploy goes to is not a swarm manager' },
  ROLLOUT_FAILED: { retryable: false, summary: 'the new release did not become healthy' },
  DEPLOY_LEASE_LOST: { retryable: false, summary: 'the deploy lease was lost; another deploy to the target may have started' },
  STATUS_LEASE_LOST: { retryable: true, summary: 'a status post lost its turn at the status gate (Redis unreachable too long); it is posted again through the gate' },
  STATUS_REJECTED: { retryable: false, summary: 'GitHub rejected a commit status' },
  NOTIFY_FAILED: { retryable: false, summary: 'the notification could not be delivered' },
  BUILD_TIMED_OUT: { retryable: false, summary: 'the build ran longer than SLIPWAY_BUILD_TIMEOUT and was stopped' },
  BUILD_CANCELLED: { retryable: false, summary: 'the build was cancelled (slipway cancel, or superseded by a newer push)' },
  ABORTED: { retryable: false, summary: 'the work was stopped before it finished' },
  WORKER_STOPPING: { retryable: true, summary: 'the worker running it was asked to stop; the work goes back to the queue' },
} as const satisfies Record<string, { retryable: boolean; summary: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SlipwayError';
    this.code = code;
    this.retryable = options.retryable ?? ErrorCodes[code].retryable;
  }
}

export function isSlipwayError(err: unknown, code?: ErrorCode): err is SlipwayError {
  return err instanceof SlipwayError && (code === undefined || err.code === code);
}

/** A one-line description of any thrown value, for logs and statuses. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
