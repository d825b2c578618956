/**
 * What `test-outcome-reporter.ts` writes (one JSON line each) and the summary `scripts/test.ts`
 * prints from it after the TAP output: the slowest test files, then every failing test with its
 * file, its name path and the first lines of its error, so the last lines of a run say what failed.
 */
import fs from 'node:fs';

export type TestOutcome =
  | { kind: 'file'; file: string; ms: number; passed: boolean }
  | { kind: 'fail'; file: string; path: string[]; failureType?: string; lines: string[] };

const SLOWEST = 10;
/** Failures listed in full; past it, a count (a run where everything fails would bury its tail). */
const LISTED = 40;

/** The outcomes in a reporter's file; a line cut short by a stopped run is skipped. */
export function readOutcomes(file: string): TestOutcome[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: TestOutcome[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line.trim()) out.push(JSON.parse(line) as TestOutcome);
    } catch {
      // the last line of a run that was killed mid-write
    }
  }
  return out;
}

/**
 * The summary block: the slowest files with their wall time, then the failures, then one line of
 * totals. `exitCode` is the test runner's: a failed run with no failing test says so.
 */
export function summarize(outcomes: readonly TestOutcome[], exitCode: number): string[] {
  const files = outcomes.filter((o) => o.kind === 'file');
  const fails = outcomes.filter((o) => o.kind === 'fail');
  const out = ['', '# ---- summary ----'];
  if (files.length) {
    const slowest = [...files].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST);
    out.push(`# slowest test files (wall time, ${slowest.length} of ${files.length}):`);
    for (const f of slowest) out.push(`#   ${seconds(f.ms).padStart(8)}  ${f.file}`);
  }
  const failedFiles = new Set(fails.map((f) => f.file));
  for (const f of files) if (!f.passed) failedFiles.add(f.file); // also a file that failed with no test named
  if (fails.length) out.push(`# failing tests (${fails.length}):`);
  for (const f of fails.slice(0, LISTED)) {
    const what = f.path.length ? f.path.join(' > ') : '(the file itself: it did not load, or its process failed)';
    out.push(`# FAIL ${f.file}`, `#   ${what}${f.failureType && f.failureType !== 'testCodeFailure' ? ` [${f.failureType}]` : ''}`);
    for (const l of f.lines) out.push(`#     ${l}`);
  }
  if (fails.length > LISTED) out.push(`# ... and ${fails.length - LISTED} more failing test(s): see "not ok" in the output above`);
  for (const file of failedFiles) if (!fails.some((f) => f.file === file)) out.push(`# FAIL ${file}`, '#   (the file failed; see its output above)');
  const total = seconds(files.reduce((s, f) => s + f.ms, 0));
  if (fails.length || failedFiles.size) out.push(`# ${fails.length} failing test(s) in ${failedFiles.size} of ${files.length} file(s); files took ${total} in all`);
  else if (exitCode !== 0) out.push(`# the test run failed (exit code ${exitCode}) with no failing test recorded in ${files.length} file(s); see the output above`);
  else out.push(`# no failing tests in ${files.length} file(s); files took ${total} in all`);
  return out;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
