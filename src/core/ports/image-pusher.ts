import type { ImageRef, PushedImage } from '../image.ts';
import type { LogSink } from './build-log.ts';

/**
 * Pushes a built image to the registry and returns it with the registry's manifest digest.
 * Pushing an image that is already there is a cheap no-op that returns the same digest.
 * Throws REGISTRY_UNREACHABLE (retryable; also for failures it cannot classify), REGISTRY_DENIED
 * (credentials, permissions), or DOCKER_UNAVAILABLE when the engine itself is down or refuses.
 */
export interface ImagePusher {
  push(image: ImageRef, log: LogSink): Promise<PushedImage>;
}
