import type Docker from 'dockerode';
import { SlipwayError } from '../core/errors.ts';
import { taggedName } from '../core/image.ts';
import { stoppedError, throwIfStopped } from '../core/stopped.ts';
import type { ImageBuilder } from '../core/ports/image-builder.ts';
import type { LogSink } from '../core/ports/build-log.ts';
import type { RegistryCredentials } from '../core/ports/registry-credentials.ts';
import { createCacheSources } from './cache-source.ts';
import { remoteAddSources } from './dockerfile-scan.ts';
import { engineFailure } from './engine-error.ts';
import { readJsonStream, StreamErrorFrame, type JsonFrame } from './json-stream.ts';
import { createLineWriter } from './log-lines.ts';
import { isEngineTrouble } from './build-errors.ts';
import { isRegistryUnreachable } from './push-errors.ts';

/** The CFS period CPU limits are a quota of, in microseconds (the engine's default). */
const CPU_PERIOD_US = 100_000;

/**
 * The ImageBuilder on a Docker engine: `POST /build` with the classic builder (`version=1`, whose
 * stream carries plain text and the image id in an `aux` frame), intermediate containers removed
 * even on failure. The build's own output goes to the log line by line. A stop closes the
 * request: the engine then cancels the build, ending the step running and removing its
 * container. Isolated builds get no network, no `ADD <url>` and the request's resource limits;
 * the classic builder has no PID limit (see `limitOptions`). A build given `cacheFrom` lists it as
 * `cachefrom` (pulled with `registryCredentials` when the engine lacks it, see cache-source.ts);
 * the classic builder needs no inline cache metadata for it, as BuildKit would.
 */
export function createDockerImageBuilder(docker: Docker, options: { registryCredentials?: RegistryCredentials } = {}): ImageBuilder {
  const cache = createCacheSources(docker, options.registryCredentials);
  return {
    prefetch: (repository, cacheFrom, log, signal) => cache.prefetch(repository, cacheFrom, log, signal),
    async discard(image, log) {
      const name = image.id ?? taggedName(image);
      try {
        // Without noprune the engine also deletes the untagged parents: the build's own layers.
        await docker.getImage(name).remove({ force: true });
        log.line(`Removed the image ${taggedName(image)}: its layers never serve as cache for another build`);
      } catch (err) {
        log.line(`Could not remove the image ${taggedName(image)}: ${engineFailure(err).message}`);
      }
    },
    async build({ context, dockerfile, image, labels, isolated, dockerfileContent, limits, cacheFrom }, log, signal) {
      const name = taggedName(image);
      // The context is this build's from now on, though the engine reads it only later: its error
      // (git archive failed, or stopped with the build on SIGTERM) in between must not be an
      // unhandled 'error' event, which ends the process before the build records why it stopped.
      let contextError: unknown;
      context.on('error', (err) => (contextError ??= err));
      try {
        throwIfStopped(signal, `building ${name}`);
        if (isolated) refuseRemoteSources(dockerfile, dockerfileContent);
        const sources = await cache.list(image.repository, cacheFrom, log, signal);
        throwIfStopped(signal, `building ${name}`);
        if (contextError !== undefined) throw contextError;
        const buildOptions: Docker.ImageBuildOptions = {
          t: name, dockerfile, labels, version: '1', rm: true, forcerm: true,
          ...(sources.length > 0 ? { cachefrom: JSON.stringify(sources) } : {}),
          ...(isolated ? { networkmode: 'none' } : {}),
          ...limitOptions(limits),
          abortSignal: signal,
        };
        const stream = await docker.buildImage(context, buildOptions);
        const id = await followBuild(stream, log);
        return { ...image, id };
      } catch (err) {
        if (signal?.aborted) throw stoppedError(signal, `building ${name}`);
        throw buildError(err, name);
      } finally {
        context.destroy(); // a build refused before reading its context must not leave git archive blocked
      }
    },
  };
}

/**
 * Memory (swap included: `memswap` = `memory`, so none on top) and CPU quota for every RUN step's
 * container. No PID limit: `POST /build` takes none (its options are memory, memswap, cpushares,
 * cpuperiod, cpuquota, cpusetcpus, cpusetmems, cgroupparent, shmsize, ulimits), an `nproc`
 * ulimit does not bind root, whom RUN steps run as, and `cgroupparent` limits only when a
 * cgroup with `pids.max` was made beforehand on the engine's host (then shared by every build in it).
 */
function limitOptions(limits: { memory: number; cpus: number } | undefined): Docker.ImageBuildOptions {
  if (!limits) return {};
  return {
    ...(limits.memory > 0 ? { memory: limits.memory, memswap: limits.memory } : {}),
    ...(limits.cpus > 0 ? { cpuperiod: CPU_PERIOD_US, cpuquota: Math.round(limits.cpus * CPU_PERIOD_US) } : {}),
  };
}

/** Untrusted Dockerfiles may not make the engine fetch anything: refused before the engine sees them. */
function refuseRemoteSources(dockerfile: string, content: string | undefined): void {
  if (content === undefined) throw new SlipwayError('BUILD_FAILED', `${dockerfile} is not in the commit`);
  const [first, ...more] = remoteAddSources(content);
  if (!first) return;
  const others = more.length > 0 ? ` (and ${more.length} more)` : '';
  throw new SlipwayError(
    'BUILD_FAILED',
    `${dockerfile} line ${first.line}: ${first.instruction} ${first.source} would be fetched from the network${others}, and fork builds get none: COPY it from the repository`,
  );
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
    // Nor is the engine failing under a step (a daemon restart): retry it.
    if (isEngineTrouble(err.message)) return new SlipwayError('DOCKER_UNAVAILABLE', `building ${name}: the Docker engine failed: ${err.message}`, { cause: err });
    return new SlipwayError('BUILD_FAILED', err.message, { cause: err });
  }
  const failure = engineFailure(err);
  // Not 5xx → retry: the engine answers 500 for user errors too (a Dockerfile not in the context).
  if (failure.status !== undefined) return new SlipwayError('BUILD_FAILED', failure.message, { cause: err });
  const reason = failure.unreachable ? 'the Docker engine is not reachable' : 'the build stream broke off';
  return new SlipwayError('DOCKER_UNAVAILABLE', `building ${name}: ${reason}: ${failure.message}`, { cause: err });
}
