/** A hung connection must not hold a build, a deploy or a status post forever. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** What one GitHub request runs under: its time limit, and `lost` (a post's lost turn at the StatusGate) when given. */
export function requestSignal(lost?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  return lost ? AbortSignal.any([lost, timeout]) : timeout;
}
