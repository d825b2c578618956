import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { simpleGit, type SimpleGit } from 'simple-git';
import { SlipwayError } from '../core/errors.ts';
import type { LogSink } from '../core/ports/build-log.ts';
import type { Ancestry } from '../core/ports/ancestry.ts';
import type { SourceFetcher } from '../core/ports/source-fetcher.ts';
import { isAcceptableCloneUrl, isFullSha } from '../core/refs.ts';
import { redactUrl } from '../core/redact-url.ts';

/**
 * Fetches commits into one bare mirror per remote under `<dataDir>/mirrors`, reused across
 * builds, and serves the tree at a commit as a `git archive` tar stream. Git runs with argument
 * arrays only; URLs and shas are validated first. Calls for one remote are serialized in-process.
 */
export function createGitSourceFetcher(dataDir: string): SourceFetcher & Ancestry {
  const mirrors = join(dataDir, 'mirrors');
  const locks = new Map<string, Promise<unknown>>();

  function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    locks.set(key, next.catch(() => undefined));
    return next;
  }

  return {
    async fetch({ cloneUrl, sha, alternateUrls = [] }, log) {
      if (!isAcceptableCloneUrl(cloneUrl)) throw new SlipwayError('REF_INVALID', `clone URL ${redactUrl(String(cloneUrl))} is not acceptable`);
      if (!isFullSha(sha)) throw new SlipwayError('REF_INVALID', `"${sha}" is not a full commit sha`);
      const path = mirrorPath(mirrors, cloneUrl);
      return serialized(path, async () => {
        const git = await openMirror(path, cloneUrl, log);
        if (!(await hasCommit(git, sha))) await fetchCommit(git, sha, [cloneUrl, ...alternateUrls.filter(isAcceptableCloneUrl)], log);
        const [author = '', committedAt = '', ...message] = (await git.raw(['log', '-1', '--format=%an%n%cI%n%B', sha, '--'])).split('\n');
        log.line(`Commit ${sha.slice(0, 7)} by ${author}: ${message[0] ?? ''}`);
        return { sha, author, committedAt, message: message.join('\n').trim(), archive: () => gitArchive(path, sha) };
      });
    },

    async isAncestor(cloneUrl, ancestor, descendant) {
      const path = mirrorPath(mirrors, cloneUrl);
      if (!isFullSha(ancestor) || !isFullSha(descendant) || !existsSync(join(path, 'HEAD'))) return undefined;
      const code = await exitCode('git', ['merge-base', '--is-ancestor', ancestor, descendant], path);
      return code === 0 ? true : code === 1 ? false : undefined;
    },
  };
}

function mirrorPath(root: string, url: string): string {
  const name = url.replace(/\.git$/, '').split(/[/:]/).filter(Boolean).pop()?.replace(/[^A-Za-z0-9_.-]/g, '_') ?? 'repo';
  return join(root, `${name}-${createHash('sha256').update(url).digest('hex').slice(0, 12)}.git`);
}

async function openMirror(path: string, url: string, log: LogSink): Promise<SimpleGit> {
  if (existsSync(join(path, 'HEAD'))) return simpleGit(path);
  mkdirSync(path, { recursive: true });
  log.line(`Cloning ${redactUrl(url)} (first build of this repository)`);
  try {
    await simpleGit().raw(['clone', '--mirror', '--quiet', '--', url, path]);
  } catch (err) {
    throw new SlipwayError('SOURCE_UNAVAILABLE', `could not clone ${redactUrl(url)}: ${gitMessage(err)}`, { cause: err });
  }
  return simpleGit(path);
}

async function hasCommit(git: SimpleGit, sha: string): Promise<boolean> {
  try {
    return (await git.raw(['cat-file', '-t', sha])).trim() === 'commit';
  } catch {
    return false;
  }
}

async function fetchCommit(git: SimpleGit, sha: string, urls: string[], log: LogSink): Promise<void> {
  log.line(`Fetching ${sha.slice(0, 7)}`);
  try {
    await git.raw(['fetch', '--prune', '--quiet', 'origin']);
  } catch (err) {
    throw new SlipwayError('SOURCE_UNAVAILABLE', `could not fetch ${redactUrl(urls[0] ?? '')}: ${gitMessage(err)}`, { cause: err });
  }
  for (const url of urls) {
    if (await hasCommit(git, sha)) return;
    // Some servers serve commits by sha that no branch points at (pull request heads, forks).
    await git.raw(['fetch', '--quiet', '--', url, sha]).catch(() => undefined);
  }
  if (!(await hasCommit(git, sha))) {
    throw new SlipwayError('COMMIT_NOT_FOUND', `commit ${sha} is not in ${redactUrl(urls[0] ?? '')} (force-pushed away?)`);
  }
}

function gitArchive(path: string, sha: string): Readable {
  const out = new PassThrough();
  const child = spawn('git', ['archive', '--format=tar', sha], { cwd: path, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.pipe(out, { end: false });
  child.on('error', (err) => out.destroy(err));
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new SlipwayError('SOURCE_UNAVAILABLE', `git archive ${sha} failed: ${stderr.trim()}`));
  });
  return out;
}

function gitMessage(err: unknown): string {
  return redactUrl(((err as Error).message ?? String(err)).trim().split('\n').slice(-3).join(' '));
}

function exitCode(command: string, args: string[], cwd: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: 'ignore' });
    child.on('error', () => resolve(null));
    child.on('close', resolve);
  });
}
