import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numberLogPage } from '../../src/http/numbered-log.ts';
import { cutMarker } from '../../src/store/redis-build-log.ts';

describe('numberLogPage: a log line keeps its number for good, so #L links stay valid', () => {
  const cases = [
    { name: 'a whole log from the start', page: { lines: ['a', 'b', 'c'], next: 3 }, from: 0, want: [1, 2, 3] },
    { name: 'new lines after the 10 already seen', page: { lines: ['k', 'l'], next: 12 }, from: 10, want: [11, 12] },
    { name: 'nothing new', page: { lines: [], next: 5 }, from: 5, want: [] },
    { name: 'a cut middle: head lines count on, the marker has no number, tail lines count back from next', page: { lines: ['h1', 'h2', cutMarker(96), 't1', 't2'], next: 100 }, from: 0, want: [1, 2, null, 99, 100] },
    { name: 'only the tail past a cut, read from inside the head', page: { lines: ['h2', cutMarker(50), 't1'], next: 53 }, from: 1, want: [2, null, 53] },
    { name: 'a user line that looks like a marker but the count does not fit is just a line', page: { lines: ['a', cutMarker(7)], next: 2 }, from: 0, want: [1, 2] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = numberLogPage(c.page, c.from);
      assert.deepEqual(got.map((l) => l.n), c.want);
      assert.deepEqual(got.map((l) => l.text), c.page.lines);
    });
  }
});
