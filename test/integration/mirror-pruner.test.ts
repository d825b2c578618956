/**
 * Mirror pruning with real git mirrors (made by the source fetcher): mirrors of repositories no
 * pipeline names go, named ones stay (by clone_url, or by a URL whose path is the repository),
 * and a mirror in use is removed only once its lock is free.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createGitSourceFetcher } from '../../src/git/git-source-fetcher.ts';
import { mirrorLockCalls, withMirrorLock } from '../../src/git/mirror-lock.ts';
import { isNamed, pruneMirrors } from '../../src/git/mirror-pruner.ts';
import { pollUntil } from '../emulators/http-util.ts';
import { createTestRepo } from '../support/git-repo.ts';
import { memoryLog } from '../support/memory-log.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const logger = pino({ level: 'silent' });

/** A data folder whose mirrors hold each repo (fetched as a build would); returns mirror path by url. */
async function mirrorsOf(urls: { url: string; sha: string }[]): Promise<{ dataDir: string; mirror: (url: string) => string }> {
  const dataDir = makeTempDir('slipway-data-');
  const fetcher = createGitSourceFetcher(dataDir);
  for (const { url, sha } of urls) await fetcher.fetch({ cloneUrl: url, sha }, memoryLog());
  const root = join(dataDir, 'mirrors');
  const byUrl = new Map(readdirSync(root).filter((n) => n.endsWith('.git')).map((n) => {
    const origin = execFileSync('git', ['config', '--file', join(root, n, 'config'), '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    return [origin, join(root, n)] as const;
  }));
  return { dataDir, mirror: (url) => byUrl.get(url)! };
}

function repo(name: string) {
  const r = createTestRepo(name);
  return { url: r.url, sha: r.commit({ 'README.md': name }, 'first') };
}

after(removeTempDirs); // the temp folders and test repositories this file made

describe('mirror pruner (real git)', () => {
  it('removes the mirrors of repositories no pipeline names and keeps the named ones', async () => {
    const named = repo('named');
    const byPath = repo('bypath');
    const orphan = repo('orphan');
    const { dataDir, mirror } = await mirrorsOf([named, byPath, orphan]);
    // a mirror of github.com/acme/bypath, as a build of a pipeline without clone_url would have
    execFileSync('git', ['config', '--file', join(mirror(byPath.url), 'config'), 'remote.origin.url', 'https://github.com/Acme/ByPath.git']);

    const removed = await pruneMirrors(dataDir, [
      { repository: 'acme/named', cloneUrl: named.url },
      { repository: 'acme/bypath' },
    ], logger);

    assert.deepEqual(removed, [mirror(orphan.url)]);
    assert.equal(existsSync(mirror(orphan.url)), false);
    assert.equal(existsSync(join(mirror(named.url), 'HEAD')), true);
    assert.equal(existsSync(join(mirror(byPath.url), 'HEAD')), true);
    assert.deepEqual(readdirSync(join(dataDir, 'mirrors')).sort(), [mirror(byPath.url), mirror(named.url)].map((p) => p.split('/').pop()).sort(), 'no lock left behind');
  });

  it('waits for the mirror lock before removing a mirror', async () => {
    const orphan = repo('busy');
    const { dataDir, mirror } = await mirrorsOf([orphan]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holder = withMirrorLock(mirror(orphan.url), async () => {
      entered();
      await held;
      assert.equal(existsSync(join(mirror(orphan.url), 'HEAD')), true, 'still there while its lock is held');
    });
    await inside;
    let settled = false;
    const pruning = pruneMirrors(dataDir, [], logger).finally(() => (settled = true));
    // Pruning has asked for the mirror's lock (a second call on it): it must wait there, not remove.
    await pollUntil(() => mirrorLockCalls(mirror(orphan.url)), (n) => n === 2 || settled, 10_000, () => `${mirrorLockCalls(mirror(orphan.url))} calls`);
    assert.equal(settled, false, 'pruning waits for the lock');
    assert.equal(existsSync(join(mirror(orphan.url), 'HEAD')), true);
    release();
    await holder;
    assert.deepEqual(await pruning, [mirror(orphan.url)]);
  });

  it('is a no-op without a mirrors folder', async () => {
    assert.deepEqual(await pruneMirrors(makeTempDir('slipway-data-'), [], logger), []);
  });
});

describe('which origin a pipeline names', () => {
  const pipelines = [{ repository: 'acme/hello', cloneUrl: 'file:///srv/git/hello.git' }, { repository: 'Acme/Web' }];
  const cases: [string, boolean][] = [
    ['file:///srv/git/hello.git', true],
    ['https://github.com/acme/hello.git', true],
    ['https://github.com/acme/web', true],
    ['https://ghe.example.com/acme/web.git/', true],
    ['git@github.com:acme/web.git', true],
    ['ssh://git@github.com/acme/web.git', true],
    ['https://github.com/forker/web.git', false],
    ['https://github.com/acme/web-old.git', false],
    ['file:///srv/git/other.git', false],
    ['file:///srv/git/acme/web.git', false],
  ];
  for (const [url, expected] of cases) {
    it(`${url} → ${expected ? 'named' : 'not named'}`, () => assert.equal(isNamed(url, pipelines), expected));
  }
});
