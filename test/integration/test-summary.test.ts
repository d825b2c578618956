/**
 * `npm test` ends with a summary of what failed, because CI shows only the tail of its output:
 * the runner (scripts/test.ts, reusing this run's services) is run on fixture files that fail on
 * purpose, and the last lines of what it prints name each failing test, its file and its error.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { testEnv } from '../support/env.ts';

const repo = new URL('../../', import.meta.url).pathname;
const FAILING = 'test/fixtures/test-runner/fails-on-purpose.ts';
const NOT_LOADING = 'test/fixtures/test-runner/does-not-load.ts';

/**
 * Runs the test runner on `files` with this run's services: its exit code, what it printed before
 * its summary, and the summary, which must end the output.
 */
async function runRunner(files: string[]): Promise<{ code: number | null; before: string[]; summary: string }> {
  testEnv(); // the services to reuse
  const env: NodeJS.ProcessEnv = { ...process.env, SLIPWAY_TEST_REUSE: '1' };
  delete env.NODE_TEST_CONTEXT; // set by the node:test running this file; with it the inner one would not print TAP
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/test.ts', ...files], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const lines = output.trimEnd().split('\n');
  const start = lines.lastIndexOf('# ---- summary ----');
  assert.ok(start >= 0, `no summary in:\n${output.slice(-3000)}`);
  const summary = lines.slice(start);
  assert.ok(summary.every((l) => l.startsWith('#')), `the summary ends the output:\n${summary.join('\n')}`);
  return { code, before: lines.slice(0, start), summary: summary.join('\n') };
}

describe('the summary at the end of a test run', { timeout: 120_000 }, () => {
  it('names every failing test with its file, its suite path and the first lines of its error, after the totals', async () => {
    const { code, before, summary } = await runRunner([FAILING, 'test/unit/time-limit.test.ts']);
    assert.equal(code, 1, 'the runner keeps node:test exit code');
    assert.ok(before.includes('# fail 2'), 'the totals come first');
    assert.match(summary, new RegExp(`# FAIL ${FAILING}\\n#   a suite on purpose > with a nested suite > compares two numbers that differ\\n`));
    assert.match(summary, /#     AssertionError: Expected values to be strictly equal:\n#     2 !== 3\n#     expected: 3\n#     actual: {3}2\n/);
    assert.match(summary, new RegExp(`#     at ${FAILING}:11:\\d+`), 'where the assertion failed');
    assert.match(summary, new RegExp(`# FAIL ${FAILING}\\n#   throws an error of its own\\n#     the fixture failed on purpose\\n`));
    assert.doesNotMatch(summary, /FAIL test\/unit\/time-limit/);
    assert.doesNotMatch(summary, /with a nested suite > passes/, 'a passing test is not listed');
    assert.match(summary, /\n# 2 failing test\(s\) in 1 of 2 file\(s\); files took \d+\.\d s in all$/);
  });

  it('names a file that does not load, with the error it wrote', async () => {
    const { code, summary } = await runRunner([NOT_LOADING]);
    assert.equal(code, 1);
    assert.match(summary, new RegExp(`# FAIL ${NOT_LOADING}\\n#   \\(the file itself: it did not load, or its process failed\\)\\n`));
    assert.match(summary, /this fixture does not load, on purpose/);
  });

  it('lists the slowest test files with their wall time', async () => {
    const { code, summary } = await runRunner(['test/unit/time-limit.test.ts', 'test/unit/status-map.test.ts']);
    assert.equal(code, 0);
    assert.match(summary, /# slowest test files \(wall time, 2 of 2\):\n#  +\d+\.\d s  test\/unit\/(time-limit|status-map)\.test\.ts\n#  +\d+\.\d s  test\/unit\/(time-limit|status-map)\.test\.ts\n/);
    assert.match(summary, /\n# no failing tests in 2 file\(s\); files took \d+\.\d s in all$/);
  });
});
