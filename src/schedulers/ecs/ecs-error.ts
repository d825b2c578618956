import { ZodError } from 'zod';
import { describeError, SlipwayError } from '../../core/errors.ts';
import { settingsRejected } from '../parse-settings.ts';

/** Service errors worth retrying: ECS is busy or failing, not refusing. */
const TRANSIENT = new Set([
  'ThrottlingException', 'ServerException', 'ServiceUnavailableException', 'InternalFailure',
  'RequestLimitExceeded', 'TooManyRequestsException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
]);

/** Socket-level failures of the SDK's HTTP handler (Node's `code`). */
const NETWORK = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  /** set on every error ECS itself answered with */
  readonly $fault?: 'client' | 'server';
}

/**
 * The error a failed ECS call becomes at the scheduler port, decided on the SDK error's `name`
 * (and Node's `code` for sockets), never its message. Throttling, server errors and network
 * failures → SCHEDULER_UNREACHABLE (retry); anything ECS refused (ClientException,
 * InvalidParameterException, ClusterNotFoundException, ServiceNotFoundException, AccessDenied…),
 * invalid settings, and SDK set-up problems (no region, no credentials) → SCHEDULER_REJECTED,
 * with AWS's own message.
 */
export function ecsError(err: unknown, operation: string): SlipwayError {
  if (err instanceof SlipwayError) return err;
  if (err instanceof ZodError) return settingsRejected('ecs', err);
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  const name = e.name ?? 'Error';
  const message = describeError(err);
  if (e.code !== undefined && NETWORK.has(e.code)) {
    return new SlipwayError('SCHEDULER_UNREACHABLE', `ECS is not reachable (${operation}): ${message}`, { cause: err });
  }
  if (TRANSIENT.has(name) || e.$fault === 'server') {
    return new SlipwayError('SCHEDULER_UNREACHABLE', `ECS ${operation} failed: ${name}: ${message}`, { cause: err });
  }
  if (e.$fault === 'client') {
    return new SlipwayError('SCHEDULER_REJECTED', `ECS refused ${operation}: ${name}: ${message}`, { cause: err });
  }
  return new SlipwayError('SCHEDULER_REJECTED', `the AWS SDK could not call ECS ${operation}: ${name}: ${message}`, { cause: err });
}
