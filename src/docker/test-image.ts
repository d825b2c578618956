import type Docker from 'dockerode';
import { describeError, SlipwayError } from '../core/errors.ts';
import { parseImageReference, type ImageReference } from '../core/image-reference.ts';
import { stoppedError } from '../core/stopped.ts';
import type { LogSink } from '../core/ports/build-log.ts';
import type { RegistryAuth, RegistryCredentials } from '../core/ports/registry-credentials.ts';
import { engineFailure, isNotFound } from './engine-error.ts';
import { readJsonStream, StreamErrorFrame } from './json-stream.ts';
import { classifyPushError } from './push-errors.ts';
import { authConfig } from './registry-auth.ts';

/**
 * Makes sure the engine has the image a pipeline names in `test.image`. A name the engine knows
 * is used as written. Otherwise it is pulled by its tag or digest; a name with neither is refused
 * rather than pulled, since that would fetch an implicit `latest` (or, for the engine, every tag).
 * `credentials` (SLIPWAY_REGISTRY's) are used only for images on that registry.
 * Throws TEST_INFRA_FAILED (retryable only when the registry cannot be reached) or DOCKER_UNAVAILABLE;
 * when `signal` aborts, the pull is cut and its stop error thrown.
 */
export async function ensureTestImage(docker: Docker, name: string, credentials: RegistryCredentials | undefined, log: LogSink, signal?: AbortSignal): Promise<void> {
  if (await present(docker, name)) return;
  const ref = parseImageReference(name);
  if (!ref?.tag && !ref?.digest) {
    throw new SlipwayError(
      'TEST_INFRA_FAILED',
      `test image ${name} is not on the Docker engine, and a name without a tag or digest is never pulled (that would be an implicit "latest"): name one, e.g. ${name}:1.0`,
      { retryable: false },
    );
  }
  log.line(`Pulling test image ${name}`);
  const auth = await credentialsFor(ref, credentials, name);
  try {
    const stream = await docker.createImage(authConfig(auth), { fromImage: ref.repository, tag: ref.digest ?? ref.tag, abortSignal: signal });
    await readJsonStream(stream);
  } catch (err) {
    if (signal?.aborted) throw stoppedError(signal, `pulling test image ${name}`);
    throw pullError(err, name);
  }
  log.line(`Pulled ${name}`);
}

async function present(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw pullError(err, name);
  }
}

async function credentialsFor(ref: ImageReference, credentials: RegistryCredentials | undefined, name: string): Promise<RegistryAuth | undefined> {
  if (!ref.registry || !credentials) return undefined;
  try {
    const auth = await credentials.credentials();
    return auth?.serveraddress === ref.registry ? auth : undefined;
  } catch (err) {
    const retryable = err instanceof SlipwayError ? err.retryable : true;
    throw new SlipwayError('TEST_INFRA_FAILED', `pulling test image ${name}: ${describeError(err)}`, { cause: err, retryable });
  }
}

function pullError(err: unknown, name: string): SlipwayError {
  const failure = engineFailure(err);
  if (failure.unreachable) {
    return new SlipwayError('DOCKER_UNAVAILABLE', `could not pull test image ${name}: the Docker engine is not reachable: ${failure.message}`, { cause: err });
  }
  const message = err instanceof StreamErrorFrame ? err.message : failure.message;
  // as for pushes: a message that names no known refusal, from the registry's side, is worth a retry
  const retryable = classifyPushError(message) === 'REGISTRY_UNREACHABLE' && (failure.status ?? 500) >= 500;
  return new SlipwayError('TEST_INFRA_FAILED', `could not pull test image ${name}: ${message}`, { cause: err, retryable });
}
