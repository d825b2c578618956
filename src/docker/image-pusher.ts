import type Docker from 'dockerode';
import { SlipwayError } from '../core/errors.ts';
import { taggedName } from '../core/image.ts';
import { stoppedError, throwIfStopped } from '../core/stopped.ts';
import type { ImagePusher } from '../core/ports/image-pusher.ts';
import type { LogSink } from '../core/ports/build-log.ts';
import type { RegistryCredentials } from '../core/ports/registry-credentials.ts';
import { engineFailure } from './engine-error.ts';
import { readJsonStream, StreamErrorFrame, type JsonFrame } from './json-stream.ts';
import { classifyPushError } from './push-errors.ts';
import { authConfig } from './registry-auth.ts';

/** Per-layer statuses not worth a line: every layer passes through them. */
const QUIET = new Set(['Preparing', 'Waiting', 'Pushing']);

/**
 * The ImagePusher on a Docker engine: `POST /images/{repository}/push?tag=…` with the registry
 * credentials (asked for before every push, so a token is always fresh), the digest taken from
 * the final `aux` frame. The log gets one line per layer outcome ("Pushed 3f1a2b4c5d6e", "Layer
 * already exists …") and the digest line, not every progress tick. A stop closes the request,
 * which makes the engine stop the upload.
 */
export function createDockerImagePusher(docker: Docker, credentials: RegistryCredentials): ImagePusher {
  return {
    async push(image, log, signal) {
      const name = taggedName(image);
      try {
        throwIfStopped(signal, `pushing ${name}`);
        const auth = await credentials.credentials();
        const stream = await docker.getImage(image.repository).push({ tag: image.tag, authconfig: authConfig(auth), abortSignal: signal });
        const progress = pushProgress(log);
        let digest: string | undefined;
        await readJsonStream(stream, (frame) => {
          if (typeof frame.aux?.Digest === 'string') digest = frame.aux.Digest;
          progress(frame);
        });
        if (digest === undefined) throw new SlipwayError('REGISTRY_UNREACHABLE', `the push of ${name} ended without a digest`);
        return { ...image, digest };
      } catch (err) {
        if (signal?.aborted) throw stoppedError(signal, `pushing ${name}`);
        throw pushError(err, name);
      }
    },
  };
}

/** Writes a frame's status when it says something new: a line, or a layer's changed outcome. */
function pushProgress(log: LogSink): (frame: JsonFrame) => void {
  const seen = new Map<string, string>();
  return (frame) => {
    if (frame.status === undefined) return;
    if (frame.id === undefined) return log.line(frame.status);
    if (frame.progressDetail?.current !== undefined || QUIET.has(frame.status)) return;
    if (seen.get(frame.id) === frame.status) return;
    seen.set(frame.id, frame.status);
    log.line(`${frame.status} ${frame.id}`);
  };
}

function pushError(err: unknown, name: string): SlipwayError {
  if (err instanceof SlipwayError) return err;
  if (err instanceof StreamErrorFrame) {
    return new SlipwayError(classifyPushError(err.message), `pushing ${name}: ${err.message}`, { cause: err });
  }
  const failure = engineFailure(err);
  if (failure.unreachable) {
    return new SlipwayError('DOCKER_UNAVAILABLE', `pushing ${name}: the Docker engine is not reachable: ${failure.message}`, { cause: err });
  }
  const retryable = failure.status === undefined || failure.status >= 500;
  return new SlipwayError('DOCKER_UNAVAILABLE', `the engine could not push ${name}: ${failure.message}`, { cause: err, retryable });
}
