import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize, type TestOutcome } from '../../scripts/test-outcomes.ts';

const file = (name: string, ms: number, passed = true): TestOutcome => ({ kind: 'file', file: name, ms, passed });

describe('summarize (the block after a test run)', () => {
  it('lists the 10 slowest files, slowest first, with their wall time', () => {
    const files = Array.from({ length: 12 }, (_, i) => file(`t${i}.test.ts`, (i + 1) * 1000));
    const lines = summarize(files, 0);
    assert.equal(lines[2], '# slowest test files (wall time, 10 of 12):');
    assert.deepEqual(lines.slice(3, 5), ['#     12.0 s  t11.test.ts', '#     11.0 s  t10.test.ts']);
    assert.equal(lines[12], '#      3.0 s  t2.test.ts');
    assert.equal(lines.at(-1), '# no failing tests in 12 file(s); files took 78.0 s in all');
  });

  it('names each failing test with its path and error lines, and marks failures that are not the test code', () => {
    const lines = summarize(
      [
        { kind: 'fail', file: 'a.test.ts', path: ['suite', 'test'], failureType: 'testCodeFailure', lines: ['boom', 'at a.test.ts:3:9'] },
        { kind: 'fail', file: 'a.test.ts', path: ['suite', 'hooked'], failureType: 'hookFailed', lines: [] },
        file('a.test.ts', 500, false),
      ],
      1,
    );
    assert.deepEqual(lines.slice(4), [
      '# failing tests (2):',
      '# FAIL a.test.ts',
      '#   suite > test',
      '#     boom',
      '#     at a.test.ts:3:9',
      '# FAIL a.test.ts',
      '#   suite > hooked [hookFailed]',
      '# 2 failing test(s) in 1 of 1 file(s); files took 0.5 s in all',
    ]);
  });

  it('lists the first 40 failures in full and counts the rest', () => {
    const fails = Array.from({ length: 45 }, (_, i): TestOutcome => ({ kind: 'fail', file: 'many.test.ts', path: [`case ${i}`], lines: ['boom'] }));
    const lines = summarize(fails, 1);
    assert.equal(lines.filter((l) => l === '# FAIL many.test.ts').length, 40);
    assert.ok(lines.includes('#   case 39') && !lines.includes('#   case 40'));
    assert.deepEqual(lines.slice(-2), ['# ... and 5 more failing test(s): see "not ok" in the output above', '# 45 failing test(s) in 1 of 0 file(s); files took 0.0 s in all']);
  });

  it('names a file that failed with no failing test in it', () => {
    const lines = summarize([file('ok.test.ts', 100), file('exits.test.ts', 200, false)], 1);
    assert.deepEqual(lines.slice(-3), ['# FAIL exits.test.ts', '#   (the file failed; see its output above)', '# 0 failing test(s) in 1 of 2 file(s); files took 0.3 s in all']);
  });

  it('says so when the run failed before any test file reported', () => {
    assert.deepEqual(summarize([], 7), ['', '# ---- summary ----', '# the test run failed (exit code 7) with no failing test recorded in 0 file(s); see the output above']);
  });
});
