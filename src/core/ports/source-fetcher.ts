import type { Readable } from 'node:stream';
import type { LogSink } from './build-log.ts';

/** One commit, fetched and ready to build. */
export interface Checkout {
  readonly sha: string;
  readonly message: string;
  readonly author: string;
  /** committer date, ISO 8601 */
  readonly committedAt: string;
  /** a tar stream of the tree at `sha` (the build context); each call makes a new stream */
  archive(): Readable;
}

/**
 * Gets an exact commit from a git remote, keeping one mirror per remote across builds.
 * Safe to call concurrently for different remotes; calls for the same remote are serialized.
 * Throws REF_INVALID for an unacceptable URL or sha, COMMIT_NOT_FOUND when the remote does not
 * have the commit, SOURCE_UNAVAILABLE (retryable) when the remote cannot be reached.
 */
export interface SourceFetcher {
  fetch(request: { cloneUrl: string; sha: string; alternateUrls?: readonly string[] }, log: LogSink): Promise<Checkout>;
}


