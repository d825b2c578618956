/**
 * A node:test reporter that `scripts/test.ts` runs beside TAP, writing to a file: one JSON line per
 * failed test and one per finished test file, as they happen (so a run stopped half-way still has
 * what it saw). `test-summary.ts` reads the lines back and prints what failed and what was slow.
 *
 * Used (through test-outcome-reporter.mjs) as `--test-reporter=<that file> --test-reporter-destination=<file>`; the events it reads are
 * node:test's own (`test:start`, `test:fail`, `test:complete`, `test:stderr`).
 */
import path from 'node:path';
import { inspect } from 'node:util';
import type { TestOutcome } from './test-outcomes.ts';

type Event = { type: string; data: Record<string, unknown> };
type Detail = { duration_ms?: number; error?: unknown };

const ERROR_LINES = 6;
const STDERR_LINES = 8;

export default async function* outcomeReporter(source: AsyncIterable<Event>): AsyncGenerator<string> {
  const names: string[] = []; // the names of the tests being reported, by nesting level
  const stderr = new Map<string, string[]>(); // the first lines each test file wrote to stderr
  for await (const { type, data } of source) {
    try {
      const line = outcomeOf(type, data, names, stderr);
      if (line) yield `${JSON.stringify(line)}\n`;
    } catch {
      // A summary line lost is better than a test run broken by its reporter.
    }
  }
}

function outcomeOf(type: string, data: Record<string, unknown>, names: string[], stderr: Map<string, string[]>): TestOutcome | undefined {
  const file = typeof data.file === 'string' ? data.file : undefined;
  const name = String(data.name ?? '');
  const nesting = Number(data.nesting ?? 0);
  const details = (data.details ?? {}) as Detail;
  const isFile = file !== undefined && nesting === 0 && name === file; // the test node:test makes of each file
  if (type === 'test:stderr' && file) {
    const lines = stderr.get(file) ?? [];
    for (const l of String(data.message ?? '').split('\n')) if (l.trim() && lines.length < STDERR_LINES) lines.push(l.trimEnd());
    stderr.set(file, lines);
  } else if (type === 'test:start') {
    names.length = nesting;
    names[nesting] = name;
  } else if (type === 'test:complete' && isFile) {
    return { kind: 'file', file: shortPath(file), ms: details.duration_ms ?? 0, passed: data.details !== undefined && !details.error };
  } else if (type === 'test:fail') {
    const error = details.error as (Error & { failureType?: string; cause?: unknown }) | undefined;
    if (error?.failureType === 'subtestsFailed') return undefined; // its failing subtests are listed
    names.length = nesting;
    return {
      kind: 'fail',
      file: file ? shortPath(file) : '(unknown file)',
      path: isFile ? [] : [...names, name],
      failureType: error?.failureType,
      lines: isFile ? [...errorLines(error), ...(file ? (stderr.get(file) ?? []) : [])] : errorLines(error),
    };
  }
  return undefined;
}

/** The first lines of what went wrong: message, expected/actual when the assertion has them, where. */
function errorLines(error: (Error & { cause?: unknown }) | undefined): string[] {
  if (!error) return [];
  const cause = (error.cause ?? error) as Error & { expected?: unknown; actual?: unknown; operator?: string };
  const message = cause instanceof Error ? `${cause.name === 'Error' ? '' : `${cause.name}: `}${cause.message}` : String(cause);
  const out = message.split('\n').filter((l) => l.trim()).slice(0, ERROR_LINES);
  if (cause instanceof Error && 'expected' in cause && 'actual' in cause && cause.operator !== 'fail') {
    out.push(`expected: ${oneLine(cause.expected)}`, `actual:   ${oneLine(cause.actual)}`);
  }
  const frame = cause instanceof Error ? firstOwnFrame(cause.stack) : undefined;
  if (frame) out.push(`at ${frame}`);
  return out;
}

/** The first stack frame in this repository's code (not node:, not node_modules), shortened. */
function firstOwnFrame(stack: string | undefined): string | undefined {
  for (const l of (stack ?? '').split('\n')) {
    const m = /\(?(?:file:\/\/)?(\/[^():]+:\d+:\d+)\)?\s*$/.exec(l.trim());
    if (l.trim().startsWith('at ') && m?.[1] && !m[1].includes('/node_modules/')) return shortPath(m[1]);
  }
  return undefined;
}

function oneLine(v: unknown): string {
  const s = inspect(v, { depth: 3, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 });
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

function shortPath(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}
