import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTempDir, removeTempDir } from './temp-dir.ts';

/** A real git repository for tests: a bare remote (`url`, file://) and a work tree that commits to it. */
export interface TestRepo {
  readonly url: string;
  readonly bare: string;
  /** writes files (path → content; copies a folder when given `{ from }`), commits, pushes; returns the sha */
  commit(files: Record<string, string | { from: string }>, message: string, branch?: string): string;
  /** removes the remote and the work tree (call it in the test's `after`) */
  remove(): void;
}

export function createTestRepo(name = 'hello'): TestRepo {
  const root = makeTempDir(`slipway-git-${name}-`);
  const bare = join(root, `${name}.git`);
  const work = join(root, 'work');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  git(work, 'remote', 'add', 'origin', bare);
  return {
    url: `file://${bare}`,
    bare,
    commit(files, message, branch = 'main') {
      git(work, 'checkout', '--quiet', '-B', branch);
      for (const [path, content] of Object.entries(files)) {
        const target = join(work, path);
        mkdirSync(dirname(target), { recursive: true });
        if (typeof content === 'string') writeFileSync(target, content);
        else cpSync(content.from, target, { recursive: true });
      }
      git(work, 'add', '--all');
      git(work, '-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', 'commit', '--quiet', '--allow-empty', '-m', message);
      git(work, 'push', '--quiet', '--force', 'origin', `${branch}:${branch}`);
      return git(work, 'rev-parse', 'HEAD').trim();
    },
    remove: () => removeTempDir(root),
  };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
