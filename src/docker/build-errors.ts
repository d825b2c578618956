/**
 * Whether an `error` frame of a build stream is the engine's own trouble rather than the
 * user's. The classic builder reports both the same way (a RUN step that exits non-zero, and a
 * daemon shutting down under the step), as text with no code, so this is the one place that reads
 * that text for builds. A message no rule knows stays the user's failure: a retry of a failing
 * Dockerfile only delays its verdict. See test/unit/build-errors.test.ts for the messages.
 */
const ENGINE_TROUBLE = [
  // the daemon stopping or restarting under a step: its network sandbox, containerd or the shim go away
  /failed to update the store state of sandbox|libnetwork|\bsbState\b/i,
  /containerd|\bttrpc\b|transport is closing|\bshim\b/i,
  /daemon is shutting down|context canceled/i,
  // the engine's own storage failing, not the Dockerfile
  /failed to register layer|error creating overlay mount|no space left on device/i,
];

export function isEngineTrouble(message: string): boolean {
  return ENGINE_TROUBLE.some((pattern) => pattern.test(message));
}
