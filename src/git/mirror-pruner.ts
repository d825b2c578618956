import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Pipeline } from '../core/pipeline.ts';
import { redactUrl } from '../core/redact-url.ts';
import { withMirrorLock } from './mirror-lock.ts';

const run = promisify(execFile);

/**
 * Removes the git mirrors under `<dataDir>/mirrors` whose origin no pipeline names any more: not a
 * pipeline's `clone_url`, nor a URL whose path is a pipeline's `repository` (`owner/name`, as
 * GitHub's clone URLs are). Each mirror is removed holding its lock, so a fetch into it finishes
 * first; a build that fetches it later clones it again. Never throws; returns the paths removed.
 */
export async function pruneMirrors(dataDir: string, pipelines: readonly Pick<Pipeline, 'repository' | 'cloneUrl'>[], logger: Logger): Promise<string[]> {
  const root = join(dataDir, 'mirrors');
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.endsWith('.git')) continue; // `<mirror>.lock` is the lock
    const path = join(root, entry.name);
    try {
      const gone = await withMirrorLock(path, async () => {
        const origin = await originUrl(path);
        // No origin yet: a first clone a killed build left; the next fetch of it starts over.
        if (origin === undefined || isNamed(origin, pipelines)) return false;
        rmSync(path, { recursive: true, force: true });
        logger.info({ mirror: path, origin: redactUrl(origin) }, 'removed the mirror of a repository no pipeline names');
        return true;
      });
      if (gone) removed.push(path);
    } catch (err) {
      logger.warn({ err, mirror: path }, 'could not prune a git mirror');
    }
  }
  return removed;
}

/** True when some pipeline builds from `url`. */
export function isNamed(url: string, pipelines: readonly Pick<Pipeline, 'repository' | 'cloneUrl'>[]): boolean {
  const path = repositoryPath(url);
  return pipelines.some((p) => p.cloneUrl === url || (path !== undefined && path === p.repository.toLowerCase()));
}

/** `owner/name` from a clone URL's path (`https://host/owner/name.git`, `git@host:owner/name.git`), lower case. */
function repositoryPath(url: string): string | undefined {
  const scp = /^[^/@:]+@[^/:]+:(.+)$/.exec(url)?.[1];
  let path = scp;
  if (path === undefined) {
    try {
      path = new URL(url).pathname;
    } catch {
      return undefined;
    }
  }
  return decodeURIComponent(path).replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '').toLowerCase();
}

async function originUrl(path: string): Promise<string | undefined> {
  if (!existsSync(join(path, 'HEAD'))) return undefined;
  try {
    const { stdout } = await run('git', ['config', '--file', join(path, 'config'), '--get', 'remote.origin.url']);
    return stdout.trim() || undefined;
  } catch {
    return undefined; // no origin configured
  }
}
