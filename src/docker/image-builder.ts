import type Docker from 'dockerode';
import { SlipwayError } from '../core/errors.ts';
import { taggedName } from '../core/image.ts';
import type { ImageBuilder } from '../core/ports/image-builder.ts';
import type { LogSink } from '../core/ports/build-log.ts';
import { engineFailure } from './engine-error.ts';
import { readJsonStream, StreamErrorFrame, type JsonFrame } from './json-stream.ts';
import { createLineWriter } from './log-lines.ts';
import { isRegistryUnreachable } from './push-errors.ts';

/**
 * The ImageBuilder on a Docker engine: `POST /build` with the classic builder (`version=1`, whose
 * stream carries plain text and the image id in an `aux` frame), intermediate containers removed
 * even on failure. The build's own output goes to the log line by line.
 */
export function createDockerImageBuilder(docker: Docker): ImageBuilder {
  return {
    async build({ context, dockerfile, image, labels, isolated }, log) {
      const name = taggedName(image);
      try {
        const options: Docker.ImageBuildOptions = { t: name, dockerfile, labels, version: '1', rm: true, forcerm: true, ...(isolated ? { networkmode: 'none' } : {}) };
        const stream = await docker.buildImage(context, options);
        const id = await followBuild(stream, log);
        return { ...image, id };
      } catch (err) {
        throw buildError(err, name);
      } finally {
        context.destroy(); // a build refused before reading its context must not leave git archive blocked
      }
    },
  };
}

/** Streams the build output to the log; resolves with the image id from the `aux` frame. */
async function followBuild(stream: NodeJS.ReadableStream, log: LogSink): Promise<string> {
  const lines = createLineWriter(log);
  let id: string | undefined;
  const onFrame = (frame: JsonFrame) => {
    if (typeof frame.aux?.ID === 'string') id = frame.aux.ID;
    if (frame.stream !== undefined) lines.write(frame.stream);
    else if (frame.status !== undefined && frame.progressDetail?.current === undefined) {
      log.line(frame.id ? `${frame.id}: ${frame.status}` : frame.status);
    }
  };
  try {
    await readJsonStream(stream, onFrame);
  } finally {
    lines.end();
  }
  if (id === undefined) throw new SlipwayError('BUILD_FAILED', 'the build ended without reporting an image id');
  return id;
}

function buildError(err: unknown, name: string): SlipwayError {
  if (err instanceof SlipwayError) return err;
  if (err instanceof StreamErrorFrame) {
    // A base image whose registry cannot be reached is not the user's failure: retry it.
    if (isRegistryUnreachable(err.message)) return new SlipwayError('REGISTRY_UNREACHABLE', `building ${name}: ${err.message}`, { cause: err });
    return new SlipwayError('BUILD_FAILED', err.message, { cause: err });
  }
  const failure = engineFailure(err);
  // Not 5xx → retry: the engine answers 500 for user errors too (a Dockerfile not in the context).
  if (failure.status !== undefined) return new SlipwayError('BUILD_FAILED', failure.message, { cause: err });
  const reason = failure.unreachable ? 'the Docker engine is not reachable' : 'the build stream broke off';
  return new SlipwayError('DOCKER_UNAVAILABLE', `building ${name}: ${reason}: ${failure.message}`, { cause: err });
}
