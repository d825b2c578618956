/**
 * What kind of registry failure an error frame of a push (or pull) describes. Docker passes the
 * registry's trouble on as text with no code, so this is the one place that reads that text.
 * First match wins; see test/unit/push-errors.test.ts for the messages each rule covers.
 */
export type RegistryProblem = 'REGISTRY_DENIED' | 'REGISTRY_UNREACHABLE';

const RULES: ReadonlyArray<readonly [RegExp, RegistryProblem]> = [
  [/\bunauthorized\b|\bdenied\b|authentication required|no basic auth credentials/i, 'REGISTRY_DENIED'],
  [/\bname unknown\b|\bname invalid\b|\btag invalid\b|\bmanifest (invalid|unknown)\b|\bimmutable\b|\bnot found\b/i, 'REGISTRY_DENIED'],
  [/connection refused|no such host|dial tcp|i\/o timeout|timeout exceeded|network is unreachable|no route to host/i, 'REGISTRY_UNREACHABLE'],
  [/connection reset|broken pipe|\bEOF\b|tls handshake|toomanyrequests|\b50[0234]\b|service unavailable/i, 'REGISTRY_UNREACHABLE'],
];

/** True when a message says a registry could not be reached (a network trouble, worth a retry). */
export function isRegistryUnreachable(message: string): boolean {
  return RULES.slice(2).some(([pattern]) => pattern.test(message));
}

/**
 * Classifies Docker's message for a failed push. A message no rule knows counts as
 * REGISTRY_UNREACHABLE: retrying an unknown failure a bounded number of times is the cheaper
 * mistake than failing a build for good over a passing hiccup.
 */
export function classifyPushError(message: string): RegistryProblem {
  for (const [pattern, problem] of RULES) if (pattern.test(message)) return problem;
  return 'REGISTRY_UNREACHABLE';
}
