import type { Readable } from 'node:stream';
import type { LogSink } from './build-log.ts';

/** One commit, fetched and ready to build. */
export interface Checkout {
  readonly sha: string;
  readonly message: string;
  readonly author: string;
  /** committer date, ISO 8601 */
  readonly committedAt: string;
  /**
   * A tar stream of the tree at `sha` (the build context); each call makes a new stream. The
   * process making it ends when the stream is destroyed or `signal` aborts (the stream then
   * errors with the stop's SlipwayError).
   */
  archive(signal?: AbortSignal): Readable;
  /**
   * The content of the file at `path` (relative to the tree's root) at `sha`, following symbolic
   * links inside the tree; undefined when there is no such file there.
   */
  readFile(path: string, signal?: AbortSignal): Promise<string | undefined>;
}

/**
 * Gets an exact commit from a git remote, keeping one mirror per remote across builds.
 * Safe to call concurrently for different remotes; calls for the same remote are serialized, also
 * across processes that share the mirrors (workers on one host with one data folder).
 * Throws REF_INVALID for an unacceptable URL or sha, COMMIT_NOT_FOUND when the remote does not
 * have the commit, SOURCE_UNAVAILABLE (retryable) when the remote cannot be reached.
 *
 * Stopping: when `signal` aborts, the git processes under way are ended (their helpers too), the
 * mirror stays usable (git removes its lock files, and a first clone's folder, as it ends), and the call
 * rejects with the signal's reason when that is a SlipwayError (e.g. BUILD_TIMED_OUT), else with
 * ABORTED; neither is retryable. A call waiting for the mirror's lock stops waiting.
 */
export interface SourceFetcher {
  fetch(request: { cloneUrl: string; sha: string; alternateUrls?: readonly string[] }, log: LogSink, signal?: AbortSignal): Promise<Checkout>;
}


