import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pipeline } from '../../src/core/pipeline.ts';
import type { SourceEvent } from '../../src/core/source-event.ts';
import { listedChanges, PAYLOAD_COMMIT_CAP } from '../../src/webhook/listed-changes.ts';
import { applyPaths } from '../../src/webhook/paths-verdict.ts';

const BEFORE = 'a'.repeat(40);
const ZEROS = '0'.repeat(40);
const commit = (files: { added?: string[]; modified?: string[]; removed?: string[] }) => ({ added: [], modified: [], removed: [], ...files });
const push = (over: Record<string, unknown> = {}) => ({ created: false, forced: false, before: BEFORE, commits: [commit({ modified: ['README.md'] })], ...over });

describe('listedChanges: when a push payload decides which files changed', () => {
  it('every added, modified and removed file of every listed commit', () => {
    const l = listedChanges(push({ commits: [commit({ added: ['a'], modified: ['b'] }), commit({ removed: ['c'], modified: ['b'] })] }));
    assert.deepEqual(l.complete && [...l.files].sort(), ['a', 'b', 'c']);
  });
  it(`up to ${PAYLOAD_COMMIT_CAP - 1} commits`, () => {
    assert.equal(listedChanges(push({ commits: Array.from({ length: PAYLOAD_COMMIT_CAP - 1 }, () => commit({})) })).complete, true);
  });
  const undecided: [string, unknown, string][] = [
    ['a new branch (created)', push({ created: true }), 'a new branch'],
    ['a new branch (before all zeros)', push({ before: ZEROS }), 'a new branch'],
    ['no before at all', push({ before: undefined }), 'a new branch'],
    ['a forced push', push({ forced: true }), 'a forced push'],
    [`${PAYLOAD_COMMIT_CAP} commits: the cap`, push({ commits: Array.from({ length: PAYLOAD_COMMIT_CAP }, () => commit({})) }), `${PAYLOAD_COMMIT_CAP} commits listed, the payload's cap`],
    ['no commits listed', push({ commits: [] }), 'no commits listed'],
    ['commits not a list', push({ commits: 'x' }), 'no commits listed'],
    ['a commit without lists', push({ commits: [{ id: 'x' }] }), 'a commit without file lists'],
    ['a list holding a number', push({ commits: [commit({ added: [1 as unknown as string] })] }), 'a commit without file lists'],
    ['a commit that is null', push({ commits: [null] }), 'a commit without file lists'],
  ];
  for (const [name, payload, why] of undecided) {
    it(`cannot decide: ${name}`, () => assert.deepEqual(listedChanges(payload), { complete: false, why }));
  }
});

const event: SourceEvent = { kind: 'push', deliveryId: 'd', repository: 'acme/mono', cloneUrl: 'file:///x.git', sha: 'c'.repeat(40), branch: 'main', before: BEFORE };
const pipe = (service: string, paths?: string[]): Pipeline => ({ service, repository: 'acme/mono', dockerfile: 'Dockerfile', file: `${service}.yml`, deploy: [], ...(paths ? { paths } : {}) });

describe('applyPaths: the server leaves out pipelines a push does not touch', () => {
  const hello = pipe('hello', ['services/hello/**']);
  const web = pipe('web', ['services/web/**']);
  const all = pipe('all');

  it('keeps the pipelines whose paths the listed files touch, and says the lists decided', () => {
    const v = applyPaths([hello, web, all], event, push({ commits: [commit({ modified: ['services/web/app.ts'] })] }));
    assert.deepEqual(v.build.map((p) => p.service), ['web', 'all']);
    assert.equal(v.event.filesListed, true);
    assert.equal(v.skipped, undefined);
  });
  it('a removed file counts as a change', () => {
    assert.deepEqual(applyPaths([hello], event, push({ commits: [commit({ removed: ['services/hello/old.ts'] })] })).build, [hello]);
  });
  it('none left: the reason, naming the paths and the commit before', () => {
    const v = applyPaths([hello], event, push({ commits: [commit({ modified: ['docs/x.md'] })] }));
    assert.deepEqual(v.build, []);
    assert.equal(v.skipped, `Skipped: no file in paths (services/hello/**) changed since ${BEFORE.slice(0, 7)}`);
  });
  it('lists that cannot decide: every pipeline builds and the worker decides', () => {
    const v = applyPaths([hello, web], event, push({ created: true, before: ZEROS, commits: [commit({ modified: ['docs/x.md'] })] }));
    assert.deepEqual(v.build, [hello, web]);
    assert.equal(v.event.filesListed, undefined);
  });
  it('a pull request: every pipeline builds (its payload lists no files)', () => {
    const pr: SourceEvent = { ...event, kind: 'pull_request', pullRequest: { number: 1, baseBranch: 'main', fork: false } };
    assert.deepEqual(applyPaths([hello], pr, {}).build, [hello]);
  });
  it('no pipeline with paths: the lists are not read at all', () => {
    const v = applyPaths([all], event, { get commits(): never { throw new Error('read') } });
    assert.deepEqual(v.build, [all]);
    assert.equal(v.event, event);
  });
});
