import { SlipwayError } from '../core/errors.ts';

/** The caller's AWS identity or its permissions were refused: trying again will not help. */
const DENIED = new Set([
  'AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException', 'InvalidClientTokenId',
  'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature', 'IncompleteSignatureException',
  'MissingAuthenticationTokenException', 'ExpiredTokenException', 'ExpiredToken', 'CredentialsProviderError',
]);
/** ECR is busy or broken: worth another try later. */
const UNREACHABLE = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded',
  'ServerException', 'InternalFailure', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout',
]);

/**
 * The SlipwayError an ECR API failure becomes, decided by the error's `name` (the AWS error
 * code), never its message. Unknown service errors follow their `$fault`: the client's fault
 * (4xx) is REGISTRY_DENIED, the service's or the network's is REGISTRY_UNREACHABLE.
 */
export function ecrError(err: unknown, doing: string): SlipwayError {
  if (err instanceof SlipwayError) return err;
  const e = (err ?? {}) as { name?: unknown; message?: unknown; $fault?: unknown };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : name;
  const denied = DENIED.has(name) || (!UNREACHABLE.has(name) && e.$fault === 'client');
  if (denied) return new SlipwayError('REGISTRY_DENIED', `${doing}: AWS refused (${name}): ${message}`, { cause: err });
  const detail = e.$fault === undefined ? `ECR is not reachable: ${message}` : `ECR failed (${name}): ${message}`;
  return new SlipwayError('REGISTRY_UNREACHABLE', `${doing}: ${detail}`, { cause: err });
}
