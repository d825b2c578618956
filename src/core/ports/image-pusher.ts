import type { ImageRef, PushedImage } from '../image.ts';
import type { LogSink } from './build-log.ts';

/**
 * Pushes a built image to the registry and returns it with the registry's manifest digest.
 * Pushing an image that is already there is a cheap no-op that returns the same digest.
 * Throws REGISTRY_UNREACHABLE (retryable; also for failures it cannot classify), REGISTRY_DENIED
 * (credentials, permissions), or DOCKER_UNAVAILABLE when the engine itself is down or refuses.
 *
 * Stopping: when `signal` aborts, the push stream is closed, which makes the engine stop the
 * upload (layers already in the registry stay: they are content-addressed and harmless), and the
 * call rejects with the signal's reason when that is a SlipwayError (e.g. BUILD_TIMED_OUT), else
 * with ABORTED; neither is retryable.
 */
export interface ImagePusher {
  push(image: ImageRef, log: LogSink, signal?: AbortSignal): Promise<PushedImage>;
}
