import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertStreams, isInterleaving } from '../support/output-streams.ts';

/** The helper integration tests use to compare a container's merged stdout and stderr. */
describe('isInterleaving', () => {
  const cases: { name: string; lines: string[]; a: string[]; b: string[]; is: boolean }[] = [
    { name: 'stdout then stderr', lines: ['o1', 'o2', 'e1'], a: ['o1', 'o2'], b: ['e1'], is: true },
    { name: 'stderr first', lines: ['e1', 'o1', 'o2'], a: ['o1', 'o2'], b: ['e1'], is: true },
    { name: 'stderr in between', lines: ['o1', 'e1', 'o2'], a: ['o1', 'o2'], b: ['e1'], is: true },
    { name: 'one stream only', lines: ['o1', 'o2'], a: ['o1', 'o2'], b: [], is: true },
    { name: 'nothing at all', lines: [], a: [], b: [], is: true },
    { name: 'the same line on both streams', lines: ['x', 'y', 'x'], a: ['x', 'y'], b: ['x'], is: true },
    { name: 'stdout out of its order', lines: ['o2', 'e1', 'o1'], a: ['o1', 'o2'], b: ['e1'], is: false },
    { name: 'a line twice', lines: ['o1', 'o1', 'e1'], a: ['o1'], b: ['e1'], is: false },
    { name: 'a line missing', lines: ['o1'], a: ['o1'], b: ['e1'], is: false },
    { name: 'a line nobody wrote', lines: ['o1', 'zz'], a: ['o1'], b: ['e1'], is: false },
  ];
  for (const c of cases) {
    it(`${c.is ? 'accepts' : 'refuses'} ${c.name}`, () => {
      assert.equal(isInterleaving(c.lines, c.a, c.b), c.is);
    });
  }

  it('assertStreams names what is wrong', () => {
    assert.doesNotThrow(() => assertStreams(['e', 'o'], { stdout: ['o'], stderr: ['e'] }));
    assert.throws(() => assertStreams(['o', 'o', 'e'], { stdout: ['o'], stderr: ['e'] }), /each line exactly once/);
    assert.throws(() => assertStreams(['b', 'a'], { stdout: ['a', 'b'] }), /each stream in its own order/);
  });
});
