import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { simpleGit, type SimpleGit } from 'simple-git';
import { isSlipwayError, SlipwayError } from '../core/errors.ts';
import type { LogSink } from '../core/ports/build-log.ts';
import type { Ancestry } from '../core/ports/ancestry.ts';
import type { ChangedFiles } from '../core/ports/changed-files.ts';
import type { SourceFetcher } from '../core/ports/source-fetcher.ts';
import { isAcceptableCloneUrl, isFullSha, isValidBranchName } from '../core/refs.ts';
import { redactUrl } from '../core/redact-url.ts';
import { stoppedError, throwIfStopped } from '../core/stopped.ts';
import { credentialEnv, isAuthRefusal, type GitCredentialSource, type GitCredentials } from './git-credentials.ts';
import { GitCommandError, runGit } from './git-process.ts';
import { withMirrorLock } from './mirror-lock.ts';

/** A mirror opened for one locked piece of work; `signal` stops its git commands. */
interface Mirror {
  readonly path: string;
  readonly git: SimpleGit;
  readonly signal?: AbortSignal;
  /** runs a git command that reaches `url`, with the credentials the source gives for it */
  readonly remote: Remote;
}

type Remote = (url: string, args: readonly string[], options: { cwd?: string; signal?: AbortSignal }) => Promise<Buffer>;

/**
 * Fetches commits into one bare mirror per remote under `<dataDir>/mirrors`, reused across
 * builds, and serves the tree at a commit as a `git archive` tar stream. Git runs with argument
 * arrays only; URLs and shas are validated first. Work on one mirror is serialized across this
 * process and every other one sharing `dataDir` (mirror-lock.ts). Commands that reach a remote run
 * in a process group of their own, so a stop ends git's helpers too (git-process.ts).
 * With `credentials`, each command that reaches an http(s) remote gets the ones the source gives
 * for it through its environment only (never the mirror's config, never a file); when the remote
 * refuses them, the source is asked again once (a revoked token is replaced).
 */
export function createGitSourceFetcher(dataDir: string, options: { credentials?: GitCredentialSource } = {}): SourceFetcher & Ancestry & ChangedFiles {
  const mirrors = join(dataDir, 'mirrors');
  const { credentials } = options;

  const remote: Remote = async (url, args, opts) => {
    const source = credentials && /^https?:\/\//i.test(url) ? credentials : undefined;
    let given: GitCredentials | undefined = await source?.(url);
    try {
      return await runGit(args, { ...opts, env: credentialEnv(url, given) });
    } catch (err) {
      if (!source || !given || !(err instanceof GitCommandError) || !isAuthRefusal(err.message)) throw err;
      given = await source(url, given);
      return runGit(args, { ...opts, env: credentialEnv(url, given) });
    }
  };

  function serialized<T>(path: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withMirrorLock(path, work, signal);
  }

  return {
    async fetch({ cloneUrl, sha, alternateUrls = [] }, log, signal) {
      if (!isAcceptableCloneUrl(cloneUrl)) throw new SlipwayError('REF_INVALID', `clone URL ${redactUrl(String(cloneUrl))} is not acceptable`);
      if (!isFullSha(sha)) throw new SlipwayError('REF_INVALID', `"${sha}" is not a full commit sha`);
      const path = mirrorPath(mirrors, cloneUrl);
      return serialized(path, async (held) => {
        const git = await openMirror(path, cloneUrl, log, remote, held);
        if (!(await hasCommit(git, sha))) await fetchCommit(git, sha, [cloneUrl, ...alternateUrls.filter(isAcceptableCloneUrl)], log);
        const [author = '', committedAt = '', ...message] = (await local(git, ['log', '-1', '--format=%an%n%cI%n%B', sha, '--'])).split('\n');
        log.line(`Commit ${sha.slice(0, 7)} by ${author}: ${message[0] ?? ''}`);
        return {
          sha, author, committedAt, message: message.join('\n').trim(),
          archive: (stop?: AbortSignal) => gitArchive(path, sha, stop),
          readFile: (file: string, stop?: AbortSignal) => readBlob(path, sha, file, stop),
        };
      }, signal);
    },

    async isAncestor(cloneUrl, ancestor, descendant) {
      if (!isAcceptableCloneUrl(cloneUrl)) throw new SlipwayError('REF_INVALID', `clone URL ${redactUrl(String(cloneUrl))} is not acceptable`);
      if (!isFullSha(ancestor) || !isFullSha(descendant)) throw new SlipwayError('REF_INVALID', 'ancestry needs two full commit shas');
      const path = mirrorPath(mirrors, cloneUrl);
      return serialized(path, async () => {
        // This host may never have built one of them: fetch what is missing before deciding.
        const git = await openMirror(path, cloneUrl, { line: () => undefined }, remote);
        for (const sha of [ancestor, descendant]) {
          if (await hasCommit(git, sha)) continue;
          const found = await fetchCommit(git, sha, [cloneUrl], { line: () => undefined }).then(
            () => true,
            (err: unknown) => {
              if (isSlipwayError(err, 'COMMIT_NOT_FOUND')) return false; // gone from the remote: no ancestor of anything there
              throw err;
            },
          );
          if (!found) return false;
        }
        const code = await exitCode('git', ['merge-base', '--is-ancestor', ancestor, descendant], path);
        if (code === 0 || code === 1) return code === 0;
        throw new SlipwayError('SOURCE_UNAVAILABLE', `git merge-base could not compare ${ancestor.slice(0, 7)} and ${descendant.slice(0, 7)} (exit ${code})`);
      });
    },

    async changedFiles({ cloneUrl, base, head }, signal) {
      if (!isAcceptableCloneUrl(cloneUrl)) throw new SlipwayError('REF_INVALID', `clone URL ${redactUrl(String(cloneUrl))} is not acceptable`);
      if (!isFullSha(head)) throw new SlipwayError('REF_INVALID', `"${head}" is not a full commit sha`);
      if ('commit' in base ? !isFullSha(base.commit) : !isValidBranchName(base.branch)) {
        throw new SlipwayError('REF_INVALID', `"${'commit' in base ? base.commit : base.branch}" is neither a full commit sha nor a branch name`);
      }
      const path = mirrorPath(mirrors, cloneUrl);
      return serialized(path, async (held) => {
        const git = await openMirror(path, cloneUrl, { line: () => undefined }, remote, held);
        if (!(await hasCommit(git, head))) return undefined;
        const from = 'commit' in base ? await commitIn(git, base.commit, cloneUrl) : await mergeBase(path, base.branch, head, held);
        if (from === undefined) return undefined;
        // -z: names exactly as stored (no quoting); --no-renames: a move counts for both its paths
        const out = await runGit(['diff', '--name-only', '-z', '--no-renames', from, head, '--'], { cwd: path, signal: held });
        return out.toString('utf8').split('\0').filter(Boolean);
      }, signal);
    },
  };
}

/** `sha` when the mirror has it (fetched from the remote when missing); undefined when the remote no longer has it either. */
async function commitIn(mirror: Mirror, sha: string, url: string): Promise<string | undefined> {
  if (await hasCommit(mirror, sha)) return sha;
  try {
    await fetchCommit(mirror, sha, [url], { line: () => undefined });
    return sha;
  } catch (err) {
    if (isSlipwayError(err, 'COMMIT_NOT_FOUND')) return undefined; // force-pushed away
    throw err;
  }
}

/** Where `head` left `branch` (their merge base); undefined when the mirror has no such branch or they share no history. */
async function mergeBase(path: string, branch: string, head: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    const out = await runGit(['merge-base', `refs/heads/${branch}`, head], { cwd: path, signal });
    const sha = out.toString().trim();
    return isFullSha(sha) ? sha : undefined;
  } catch (err) {
    if (err instanceof GitCommandError) return undefined;
    throw err; // stopped
  }
}

function mirrorPath(root: string, url: string): string {
  const name = url.replace(/\.git$/, '').split(/[/:]/).filter(Boolean).pop()?.replace(/[^A-Za-z0-9_.-]/g, '_') ?? 'repo';
  return join(root, `${name}-${createHash('sha256').update(url).digest('hex').slice(0, 12)}.git`);
}

async function openMirror(path: string, url: string, log: LogSink, remote: Remote, signal?: AbortSignal): Promise<Mirror> {
  // simple-git refuses a folder that does not exist yet: made after the clone.
  const mirror = (): Mirror => ({ path, git: simpleGit({ baseDir: path, abort: signal }), signal, remote });
  if (existsSync(join(path, 'HEAD'))) return mirror();
  rmSync(path, { recursive: true, force: true }); // what a killed first clone left
  log.line(`Cloning ${redactUrl(url)} (first build of this repository)`);
  try {
    await remote(url, ['clone', '--mirror', '--quiet', '--', url, path], { signal });
  } catch (err) {
    if (err instanceof SlipwayError) throw err; // stopped
    throw new SlipwayError('SOURCE_UNAVAILABLE', `could not clone ${redactUrl(url)}: ${gitMessage(err)}`, { cause: err });
  }
  return mirror();
}

async function hasCommit(mirror: Mirror, sha: string): Promise<boolean> {
  try {
    return (await local(mirror, ['cat-file', '-t', sha])).trim() === 'commit';
  } catch (err) {
    if (err instanceof SlipwayError) throw err; // stopped
    return false;
  }
}

async function fetchCommit(mirror: Mirror, sha: string, urls: string[], log: LogSink): Promise<void> {
  const { path, signal, remote } = mirror;
  log.line(`Fetching ${sha.slice(0, 7)}`);
  try {
    // origin is the mirror's clone URL, the first of `urls`
    await remote(urls[0] ?? '', ['fetch', '--prune', '--quiet', 'origin'], { cwd: path, signal });
  } catch (err) {
    if (err instanceof SlipwayError) throw err; // stopped
    throw new SlipwayError('SOURCE_UNAVAILABLE', `could not fetch ${redactUrl(urls[0] ?? '')}: ${gitMessage(err)}`, { cause: err });
  }
  for (const url of urls) {
    if (await hasCommit(mirror, sha)) return;
    // Some servers serve commits by sha that no branch points at (pull request heads, forks).
    await remote(url, ['fetch', '--quiet', '--', url, sha], { cwd: path, signal }).catch((err: unknown) => {
      if (err instanceof SlipwayError) throw err; // stopped
    });
  }
  if (!(await hasCommit(mirror, sha))) {
    throw new SlipwayError('COMMIT_NOT_FOUND', `commit ${sha} is not in ${redactUrl(urls[0] ?? '')} (force-pushed away?)`);
  }
}

/** A local git command in the mirror (simple-git; nothing of it outlives git), its stop as the stop error. */
async function local(mirror: Mirror, args: string[]): Promise<string> {
  try {
    return await mirror.git.raw(args);
  } catch (err) {
    throwIfStopped(mirror.signal, `git ${args[0]}`);
    throw err;
  }
}

/** `git archive` as a stream; git ends when the stream is destroyed (read or not) or `signal` aborts. */
function gitArchive(path: string, sha: string, signal?: AbortSignal): Readable {
  const out = new PassThrough();
  if (signal?.aborted) return out.destroy(stoppedError(signal, 'git archive'));
  const child = spawn('git', ['archive', '--format=tar', sha], { cwd: path, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const onAbort = () => out.destroy(stoppedError(signal!, 'git archive'));
  signal?.addEventListener('abort', onAbort, { once: true });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.pipe(out, { end: false });
  // Nobody reads a destroyed stream: git would block on a full pipe for ever.
  out.on('close', () => child.exitCode === null && child.kill());
  child.on('error', (err) => out.destroy(err));
  child.on('close', (code) => {
    signal?.removeEventListener('abort', onAbort);
    if (code === 0) out.end();
    else out.destroy(new SlipwayError('SOURCE_UNAVAILABLE', `git archive ${sha} failed: ${stderr.trim()}`));
  });
  return out;
}

/** A file of the tree at `sha`, symbolic links inside the tree followed; undefined when there is none. */
async function readBlob(path: string, sha: string, file: string, signal?: AbortSignal): Promise<string | undefined> {
  const inTree = posix.normalize(file);
  if (inTree.startsWith('../') || inTree.startsWith('/') || /[\n\0]/.test(inTree)) return undefined;
  let out: Buffer;
  try {
    out = await runGit(['cat-file', '--batch', '--follow-symlinks'], { cwd: path, signal, input: `${sha}:${inTree}\n` });
  } catch (err) {
    if (err instanceof GitCommandError) throw new SlipwayError('SOURCE_UNAVAILABLE', `could not read ${inTree} at ${sha.slice(0, 7)}: ${gitMessage(err)}`, { cause: err });
    throw err;
  }
  // `<oid> blob <size>\n<content>\n`, or `<what> missing`, `dangling …`, `symlink …` (out of the tree), `loop …`
  const newline = out.indexOf(0x0a);
  const size = /^[0-9a-f]{40,64} blob (\d+)$/.exec(out.subarray(0, newline).toString())?.[1];
  if (size === undefined) return undefined;
  return out.subarray(newline + 1, newline + 1 + Number(size)).toString('utf8');
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
