import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { createTestRepo } from '../support/git-repo.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const CHILD = new URL('../support/fetcher-process.ts', import.meta.url).pathname;

after(removeTempDirs); // the temp folders and test repositories this file made

/**
 * Two worker processes on one host share SLIPWAY_DATA_DIR: their fetches into one mirror take
 * turns (a lock file per mirror, not only a queue in each process), so both succeed and the mirror
 * stays intact, from the first clone on.
 */
describe('one mirror, two processes', { timeout: 120_000 }, () => {
  const children: ChildProcess[] = [];
  after(() => children.forEach((c) => c.kill()));

  /** A fetcher in a process of its own; `fetch` resolves with its answer line. */
  async function fetcherProcess(dataDir: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const lines = createInterface({ input: child.stdout! });
    const waiting = new Map<string, (answer: string) => void>();
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    lines.on('line', (line) => {
      if (line === 'ready') return ready();
      const sha = line.split(' ')[1] ?? '';
      waiting.get(sha)?.(line);
    });
    await started;
    return {
      fetch: (url: string, sha: string) =>
        new Promise<string>((resolve) => {
          waiting.set(sha, resolve);
          child.stdin!.write(`${url} ${sha}\n`);
        }),
    };
  }

  it('both succeed when they clone and fetch different commits at the same time, and git fsck finds nothing wrong', async () => {
    const repo = createTestRepo('shared');
    // Incompressible content, so each clone and fetch takes long enough for the two to overlap.
    const bulk = () => randomBytes(4 * 1024 * 1024).toString('base64');
    const dataDir = makeTempDir('slipway-data-');
    const [one, two] = await Promise.all([fetcherProcess(dataDir), fetcherProcess(dataDir)]);

    for (let round = 0; round < 4; round++) {
      const left = repo.commit({ [`left-${round}.txt`]: bulk() }, `left ${round}`, `left-${round}`);
      const right = repo.commit({ [`right-${round}.txt`]: bulk() }, `right ${round}`, `right-${round}`);
      const answers = await Promise.all([one.fetch(repo.url, left), two.fetch(repo.url, right)]);
      assert.deepEqual(answers, [`ok ${left}`, `ok ${right}`], `round ${round}`);
    }

    const [mirror, ...others] = readdirSync(join(dataDir, 'mirrors')).filter((name) => name.endsWith('.git'));
    assert.ok(mirror, 'a mirror exists');
    assert.deepEqual(others, [], 'one mirror for one remote');
    execFileSync('git', ['fsck', '--full', '--no-progress'], { cwd: join(dataDir, 'mirrors', mirror), stdio: 'pipe' });
  });
});
