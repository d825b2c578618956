/**
 * The deploy fence's question, asked of a worker host that never built either commit (another host
 * did): the git source fetcher fetches what it lacks and answers from git, never from build ids.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { createGitSourceFetcher } from '../../src/git/git-source-fetcher.ts';
import { createTestRepo } from '../support/git-repo.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

describe('commit ancestry on a host without the commits', () => {
  after(() => removeTempDirs());
  const repo = createTestRepo('ancestry');
  const older = repo.commit({ 'a.txt': 'one' }, 'older');
  const newer = repo.commit({ 'a.txt': 'two' }, 'newer');

  it('fetches both commits and answers which is older', async () => {
    assert.equal(await createGitSourceFetcher(makeTempDir('slipway-data-')).isAncestor(repo.url, older, newer), true);
    assert.equal(await createGitSourceFetcher(makeTempDir('slipway-data-')).isAncestor(repo.url, newer, older), false);
  });

  it('a commit gone from the remote (force-pushed away) is the ancestor of nothing there', async () => {
    assert.equal(await createGitSourceFetcher(makeTempDir('slipway-data-')).isAncestor(repo.url, 'f'.repeat(40), newer), false);
  });

  it('a remote that cannot be asked is an error worth a retry, not a guess', async () => {
    await assert.rejects(
      createGitSourceFetcher(makeTempDir('slipway-data-')).isAncestor('file:///nonexistent/repo.git', older, newer),
      (err: unknown) => isSlipwayError(err, 'SOURCE_UNAVAILABLE') && err.retryable,
    );
  });
});
