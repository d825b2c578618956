/**
 * Every package the lock file installs runs on the Node.js `engines` names (>= 20): a dependency
 * asking for a newer Node makes `npm ci` print EBADENGINE (content-type 3, pulled in by
 * @octokit/request, wants Node 22; package.json overrides it with 2.1.0, the same parser for Node 18+).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('../../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } }> };
const NODE_20 = [20, 0, 0];

/** Whether an npm `engines.node` range admits `version`, for the forms npm packages use (>=, >, <, <=, ^, ~, x and *, ||). */
function admits(range: string, version: readonly number[]): boolean {
  return range.split('||').some((alternative) =>
    alternative.replace(/([<>]=?|\^|~|=)\s+/g, '$1').trim().split(/\s+/).filter(Boolean).every((comparator) => {
      const [, op = '', text = ''] = /^([<>]=?|\^|~|=)?v?(.*)$/.exec(comparator)!;
      const parts = text.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : undefined));
      const wanted = [0, 1, 2].map((i) => parts[i] ?? 0);
      const cmp = wanted.reduce((c, w, i) => c || Math.sign(version[i]! - w), 0);
      const fixed = parts.findIndex((p) => p === undefined);
      const depth = fixed === -1 ? parts.length : fixed;
      const sameUpTo = (n: number) => wanted.slice(0, n).every((w, i) => version[i] === w);
      if (op === '>=') return cmp >= 0;
      if (op === '>') return cmp > 0;
      if (op === '<=') return cmp <= 0;
      if (op === '<') return cmp < 0;
      if (op === '^') return cmp >= 0 && sameUpTo(Math.max(1, wanted.findIndex((w) => w !== 0) + 1 || 1));
      if (op === '~') return cmp >= 0 && sameUpTo(Math.min(2, Math.max(1, depth)));
      return sameUpTo(depth);
    }),
  );
}

describe('the Node.js versions dependencies ask for', () => {
  it('reads the range forms the lock file holds', () => {
    const cases: [string, boolean][] = [
      ['>=20', true], ['>= 20.16.0', false], ['>=22', false], ['^16 || ^18 || >=20', true], ['^18', false],
      ['6.* || 8.* || >= 10.*', true], ['10.* || >= 12.*', true], ['4.x || >=6.0.0', true], ['>=9.4.0 || ^8.9.4', true], ['20.x', true], ['~20.1', false],
    ];
    for (const [range, ok] of cases) assert.equal(admits(range, NODE_20), ok, range);
  });

  it('every package installed runs on Node 20 (20.16, which one of them needs), none asks for Node 22', () => {
    const newer = Object.entries(lock.packages)
      .filter(([, p]) => p.engines?.node && !admits(p.engines.node, [20, 16, 0]))
      .map(([path, p]) => `${path.replace(/^.*node_modules\//, '')}@${p.version} wants node ${p.engines!.node}`);
    assert.deepEqual(newer, []);
  });
});
