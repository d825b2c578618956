import type { Readable } from 'node:stream';
import type { ImageRef } from '../image.ts';
import type { LogSink } from './build-log.ts';

/**
 * Builds an image from a tar build context and tags it `image.repository:image.tag`.
 * Returns the reference with the engine's image id. Build output goes to the log line by line.
 * Throws BUILD_FAILED when a step fails (the user's fault), DOCKER_UNAVAILABLE when the engine
 * cannot be reached, REGISTRY_UNREACHABLE when a base image's registry cannot be reached. Building the same context twice is allowed and cheap (layer cache).
 */
export interface ImageBuilder {
  build(
    request: {
      context: Readable;
      dockerfile: string;
      image: ImageRef;
      labels: Record<string, string>;
      /** no network for RUN steps: untrusted code (fork pull requests) reaches nothing */
      isolated?: boolean;
    },
    log: LogSink,
  ): Promise<ImageRef>;
}
