import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFinal, newBuild, type Build } from '../../src/core/build.ts';
import type { SourceEvent } from '../../src/core/source-event.ts';
import { supersededReason, supersedes } from '../../src/pipeline/supersede.ts';

const base: SourceEvent = { kind: 'push', deliveryId: 'd', repository: 'acme/hello', cloneUrl: 'x', sha: 'a'.repeat(40), branch: 'main' };

function build(id: string, event: Partial<SourceEvent> = {}, change: (b: Build) => void = () => {}): Build {
  const b = newBuild(id, 'hello', { ...base, ...event }, 0);
  change(b);
  return b;
}

const pr = (number: number, branch = 'feature', fork = false) => ({ kind: 'pull_request' as const, branch, pullRequest: { number, baseBranch: 'main', fork } });

describe('which older build a newer one supersedes', () => {
  const table: [string, Build, Build, boolean][] = [
    ['a push to the same branch', build('2', { sha: 'b'.repeat(40) }), build('1'), true],
    ['the same commit pushed again', build('2'), build('1'), true],
    ['a push to another branch', build('2', { branch: 'feature' }), build('1'), false],
    ['a newer build never supersedes itself', build('1'), build('1'), false],
    ['an older id never supersedes a newer one', build('1'), build('2'), false],
    ['ids compare as numbers, not text', build('10'), build('9'), true],
    ['another service', build('2'), { ...build('1'), service: 'other' }, false],
    ['a push to the branch a pull request comes from', build('2', { branch: 'feature' }), build('1', pr(4)), false],
    ['a pull request over a push to its branch', build('2', pr(4)), build('1', { branch: 'feature' }), false],
    ['a newer push to the same pull request', build('2', pr(4)), build('1', pr(4)), true],
    ['another pull request from a branch of the same name (two forks)', build('2', pr(5, 'main', true)), build('1', pr(4, 'main', true)), false],
    ['a rerun supersedes nothing', build('2', {}, (b) => void (b.rerunOf = '1')), build('1'), false],
    ['a push supersedes a rerun on its branch', build('3'), build('2', {}, (b) => void (b.rerunOf = '1')), true],
  ];
  for (const [name, newer, older, expected] of table) {
    it(`${name}: ${expected ? 'superseded' : 'left alone'}`, () => assert.equal(supersedes(newer, older), expected));
  }
});

describe('the superseded build', () => {
  it('says which commit superseded it, as its status description starts', () => {
    assert.equal(supersededReason(build('13', { sha: '1a2b3c4d'.padEnd(40, '0') })), 'Superseded by 1a2b3c4 (build 13)');
  });

  it('is final, so the reconciler and retention leave it as it is', () => {
    assert.equal(isFinal('cancelled'), true);
  });
});
