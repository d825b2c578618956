import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { createGitSourceFetcher } from '../../src/git/git-source-fetcher.ts';
import { createTestRepo, type TestRepo } from '../support/git-repo.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const quiet = { line: () => undefined };

/** A commit on main made in a clone of its own (the test repository's helper commits on top of the last branch it used). */
function commitOnMain(repo: TestRepo, file: string, content: string): string {
  const work = makeTempDir('slipway-main-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('clone', '--quiet', '--branch', 'main', repo.bare, '.');
  writeFileSync(join(work, file), content);
  git('-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', 'commit', '--quiet', '-am', 'Main moves on');
  git('push', '--quiet', 'origin', 'main');
  return git('rev-parse', 'HEAD').trim();
}

/** ChangedFiles on a real mirror: what a commit changed against an earlier commit or a branch. */
describe('git source fetcher: changedFiles', () => {
  let repo: TestRepo;
  const fetcher = createGitSourceFetcher(makeTempDir('slipway-data-'));
  const sha: Record<string, string> = {};
  before(async () => {
    repo = createTestRepo('mono');
    sha.base = repo.commit({ 'services/hello/app.ts': 'v1\n', 'services/web/app.ts': 'v1\n', 'odd name\n.txt': 'x\n' }, 'Two services');
    sha.docs = repo.commit({ 'docs/a.md': 'a\n' }, 'Docs', 'docs');
    sha.hello = repo.commit({ 'services/hello/app.ts': 'v2\n' }, 'Hello v2', 'feature');
    sha.main = commitOnMain(repo, 'services/web/app.ts', 'v2\n'); // main moves on after feature left it
    await fetcher.fetch({ cloneUrl: repo.url, sha: sha.hello }, quiet);
  });
  after(() => {
    repo?.remove();
    removeTempDirs();
  });

  it('against a commit: every path that differs between the two trees', async () => {
    const files = await fetcher.changedFiles({ cloneUrl: repo.url, base: { commit: sha.base! }, head: sha.hello! });
    assert.deepEqual([...(files ?? [])].sort(), ['docs/a.md', 'services/hello/app.ts']);
  });

  it('against a branch: only what the head added since it left it (not what the branch did since)', async () => {
    // main moved on (web v2) after feature left it; the mirror learns of it with this fetch
    await fetcher.fetch({ cloneUrl: repo.url, sha: sha.main! }, quiet);
    const files = await fetcher.changedFiles({ cloneUrl: repo.url, base: { branch: 'main' }, head: sha.hello! });
    assert.deepEqual([...(files ?? [])].sort(), ['docs/a.md', 'services/hello/app.ts']);
  });

  it('names exactly as stored, whatever characters they hold', async () => {
    const files = await fetcher.changedFiles({ cloneUrl: repo.url, base: { commit: sha.base! }, head: sha.base! });
    assert.deepEqual(files, []);
    const created = repo.commit({ 'odd name\n.txt': 'y\n' }, 'Odd', 'odd');
    await fetcher.fetch({ cloneUrl: repo.url, sha: created }, quiet);
    assert.deepEqual(await fetcher.changedFiles({ cloneUrl: repo.url, base: { commit: sha.hello! }, head: created }), ['odd name\n.txt']);
  });

  it('undefined when it cannot tell: a branch the mirror lacks, a commit the remote never had', async () => {
    assert.equal(await fetcher.changedFiles({ cloneUrl: repo.url, base: { branch: 'no-such-branch' }, head: sha.hello! }), undefined);
    assert.equal(await fetcher.changedFiles({ cloneUrl: repo.url, base: { commit: 'e'.repeat(40) }, head: sha.hello! }), undefined);
  });

  it('refuses refs that are neither a sha nor a branch name', async () => {
    await assert.rejects(fetcher.changedFiles({ cloneUrl: repo.url, base: { branch: '--output=/tmp/x' }, head: sha.hello! }), (e) => isSlipwayError(e, 'REF_INVALID'));
    await assert.rejects(fetcher.changedFiles({ cloneUrl: repo.url, base: { commit: 'HEAD~1' }, head: sha.hello! }), (e) => isSlipwayError(e, 'REF_INVALID'));
  });
});
