import type Docker from 'dockerode';
import { describeError, SlipwayError } from '../../core/errors.ts';
import type { LogSink } from '../../core/ports/build-log.ts';
import type { RegistryAuth, RegistryCredentials } from '../../core/ports/registry-credentials.ts';
import { engineFailure, isNotFound } from '../../docker/engine-error.ts';
import { readJsonStream, StreamErrorFrame } from '../../docker/json-stream.ts';
import { classifyPushError } from '../../docker/push-errors.ts';
import { authConfig } from '../../docker/registry-auth.ts';

/**
 * Makes sure the engine has `image` (`repo@sha256:…`), pulling it from the registry if not.
 * A registry that cannot be reached → SCHEDULER_UNREACHABLE (retry); an image the registry
 * does not have or will not give → SCHEDULER_REJECTED, with Docker's message. The credentials
 * are asked for only when a pull is needed; their REGISTRY_* failures become SCHEDULER_* ones.
 */
export async function ensureImage(docker: Docker, image: string, credentials: RegistryCredentials | undefined, log: LogSink): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  log.line(`Pulling ${image}`);
  const auth = await pullCredentials(credentials, image);
  try {
    const stream = await docker.createImage(authConfig(auth), { fromImage: image });
    await readJsonStream(stream);
  } catch (err) {
    throw pullError(err, image);
  }
  log.line(`Pulled ${image}`);
}

/** The registry credentials for an engine that will pull `image`, REGISTRY_* failures as SCHEDULER_* ones. */
export async function pullCredentials(credentials: RegistryCredentials | undefined, image: string): Promise<RegistryAuth | undefined> {
  try {
    return await credentials?.credentials();
  } catch (err) {
    const retry = err instanceof SlipwayError ? err.retryable : true;
    throw new SlipwayError(retry ? 'SCHEDULER_UNREACHABLE' : 'SCHEDULER_REJECTED', `pulling ${image}: ${describeError(err)}`, { cause: err });
  }
}

function pullError(err: unknown, image: string): unknown {
  const failure = engineFailure(err);
  if (failure.unreachable) return err;
  const message = err instanceof StreamErrorFrame ? err.message : failure.message;
  const registryDown = classifyPushError(message) === 'REGISTRY_UNREACHABLE' && (failure.status ?? 500) >= 500;
  return new SlipwayError(registryDown ? 'SCHEDULER_UNREACHABLE' : 'SCHEDULER_REJECTED', `pulling ${image}: ${message}`, { cause: err });
}
