import assert from 'node:assert/strict';

/** What a command wrote, per stream, in the order it wrote it. */
export interface StreamLines {
  readonly stdout?: readonly string[];
  readonly stderr?: readonly string[];
}

/**
 * Asserts that `lines` (a container's stdout and stderr merged into one log) hold every line of
 * `stdout` and of `stderr` exactly once, each stream in its own order, the two interleaved in
 * any way. The engine copies the two pipes separately, so which stream's line comes first is
 * not kept and must not be asserted (on a busy machine a later stderr line often arrives first).
 */
export function assertStreams(lines: readonly string[], expected: StreamLines, message = ''): void {
  const stdout = expected.stdout ?? [];
  const stderr = expected.stderr ?? [];
  const note = message ? `${message}: ` : '';
  // the multiset first: a repeated or missing line shows as a plain diff
  assert.deepEqual([...lines].sort(), [...stdout, ...stderr].sort(), `${note}each line exactly once`);
  assert.ok(
    isInterleaving(lines, stdout, stderr),
    `${note}each stream in its own order\n  log:    ${JSON.stringify(lines)}\n  stdout: ${JSON.stringify(stdout)}\n  stderr: ${JSON.stringify(stderr)}`,
  );
}

/** Whether `lines` is `a` and `b` merged with each one's order kept (lines may repeat across streams). */
export function isInterleaving(lines: readonly string[], a: readonly string[], b: readonly string[]): boolean {
  if (lines.length !== a.length + b.length) return false;
  // can[j]: lines[0, i + j) is a[0, i) merged with b[0, j), for the current i
  let can: boolean[] = [true];
  for (let j = 1; j <= b.length; j++) can[j] = can[j - 1]! && b[j - 1] === lines[j - 1];
  for (let i = 1; i <= a.length; i++) {
    const prev = can;
    can = [prev[0]! && a[i - 1] === lines[i - 1]];
    for (let j = 1; j <= b.length; j++) {
      const line = lines[i + j - 1];
      can[j] = (prev[j]! && a[i - 1] === line) || (can[j - 1]! && b[j - 1] === line);
    }
  }
  return can[b.length]!;
}
