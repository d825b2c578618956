import type { Readable } from 'node:stream';
import type { ImageRef, PushedImage } from '../image.ts';
import type { LogSink } from './build-log.ts';

/**
 * Builds an image from a tar build context and tags it `image.repository:image.tag`.
 * Returns the reference with the engine's image id. Build output goes to the log line by line.
 * Throws BUILD_FAILED when a step fails (the user's fault), DOCKER_UNAVAILABLE when the engine
 * cannot be reached, REGISTRY_UNREACHABLE when a base image's registry cannot be reached. Building the same context twice is allowed and cheap (layer cache).
 *
 * Stopping: when `signal` aborts, the build is stopped on the engine (the step running is ended
 * and its intermediate container removed), the context stream is destroyed, and the call rejects
 * with the signal's reason when that is a SlipwayError (e.g. BUILD_TIMED_OUT), else with ABORTED;
 * neither is retryable.
 */
export interface ImageBuilder {
  build(
    request: {
      context: Readable;
      dockerfile: string;
      image: ImageRef;
      labels: Record<string, string>;
      /**
       * Untrusted code (fork pull requests): no network for RUN steps, and nothing the engine
       * would fetch from a URL for it (`ADD <url>` is refused with BUILD_FAILED, naming the line,
       * before the engine sees the Dockerfile).
       */
      isolated?: boolean;
      /** the Dockerfile's text as it is in `context`; required when `isolated` (checked before the build) */
      dockerfileContent?: string;
      /** memory (bytes) and CPUs each RUN step's container may use, whenever given (the pipeline gives them to isolated builds); 0 = the engine's default */
      limits?: { readonly memory: number; readonly cpus: number };
      /**
       * The service's last pushed image (of `image.repository`), for a builder that has nothing
       * of the service yet: it pulls it with the registry credentials and takes its layers as
       * build cache, so a first build on a new worker costs about what a build on a warm one
       * does. A pull that fails is a line in the log, never a failed build. Only ever a trusted
       * build's image: its layers may serve any build, while an untrusted build's never serve one.
       */
      cacheFrom?: PushedImage;
    },
    log: LogSink,
    signal?: AbortSignal,
  ): Promise<ImageRef>;

  /**
   * Gets `cacheFrom` ready for a build of `repository` that will be given it (a pull, on an engine
   * that lacks it): started before the commit is fetched, or when a worker starts. A build given it
   * meanwhile waits for what is left of the same pull. Resolves once it is there or could not be
   * had (a line in `log`): true when it was pulled now, false when the engine already had it or
   * could not get it. Never rejects.
   */
  prefetch?(repository: string, cacheFrom: PushedImage, log: LogSink, signal?: AbortSignal): Promise<boolean>;

  /**
   * Removes a built image and the layers only it has, so that none of them serves as build cache
   * for a later build (an untrusted build's layers were made without network and under limits, and
   * must never stand in for a trusted build's). Never throws: a failure goes to `log`.
   */
  discard?(image: ImageRef, log: LogSink): Promise<void>;
}
