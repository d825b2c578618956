import type Docker from 'dockerode';
import { describeError } from '../core/errors.ts';
import { pinnedName, type PushedImage } from '../core/image.ts';
import type { LogSink } from '../core/ports/build-log.ts';
import type { RegistryCredentials } from '../core/ports/registry-credentials.ts';
import { engineFailure, isNotFound } from './engine-error.ts';
import { readJsonStream } from './json-stream.ts';
import { authConfig } from './registry-auth.ts';

/** The tag of a push build's image (run-build.ts): trusted code; pull requests get `pr<n>-<sha7>`. */
const PUSH_TAG = /:git-[0-9a-f]{7}$/;

/**
 * The `cachefrom` images of the builds on one engine (the classic builder's `--cache-from`).
 *
 * For a build of `repository` given `candidate` (the service's last pushed image): the candidate,
 * pulled by digest with the registry credentials when the engine does not have it, and the
 * engine's own newest push-build image of the repository when that is another one. None while
 * nothing of the service was pushed: the engine's own cache as it is.
 *
 * Why both, and always: the classic builder matches a listed image's history step by step against
 * the Dockerfile, from the same base image on, so a pulled image's layers serve every step up to
 * the first that changed. But the steps it restores that way carry no build config, so the
 * engine's own cache (which matches a step by its parent and config) never finds them again: the
 * next build needs the list too. Given a list, the builder takes a layer of its own cache only
 * when it is a parent of a listed image, so the engine's own newest image goes in as well, and
 * layers of anything else (a fork's build among them) never serve. Only push builds' images are
 * listed: trusted code.
 *
 * One pull per image at a time: a prefetch (when a worker starts, or while a build's commit is
 * fetched) and the builds that want the same image share it. A pulled image gets its build's tag,
 * so the janitor removes it like the images built here. A pull that fails leaves a line in the
 * log and that image out: the build runs colder, never fails for it. Nothing here throws.
 */
export interface CacheSources {
  /** gets `candidate` onto the engine, for a build that will ask `list` for it: true when it was pulled now (the engine lacked it); never rejects */
  prefetch(repository: string, candidate: PushedImage, log: LogSink, signal?: AbortSignal): Promise<boolean>;
  list(repository: string, candidate: PushedImage | undefined, log: LogSink, signal?: AbortSignal): Promise<string[]>;
}

export function createCacheSources(docker: Docker, credentials: RegistryCredentials | undefined): CacheSources {
  /** pulls under way, by pinned name */
  const pulling = new Map<string, Promise<Presence>>();

  function ensure(candidate: PushedImage, log: LogSink, signal?: AbortSignal): Promise<Presence> {
    const name = pinnedName(candidate);
    const underWay = pulling.get(name);
    if (underWay) return underWay;
    const pull = present(docker, name, candidate, credentials, log, signal).finally(() => pulling.delete(name));
    pulling.set(name, pull);
    return pull;
  }

  return {
    async prefetch(repository, candidate, log, signal) {
      return candidate.repository === repository && (await ensure(candidate, log, signal)).pulled;
    },
    async list(repository, candidate, log, signal) {
      if (candidate?.repository !== repository) return [];
      const sources: string[] = [];
      const candidateId = (await ensure(candidate, log, signal)).id;
      if (candidateId) sources.push(pinnedName(candidate));
      const own = await newestPushBuild(docker, repository).catch(() => undefined);
      if (own && own.id !== candidateId) sources.push(own.name);
      return sources;
    },
  };
}

/** The candidate's local image id (undefined when it cannot be had), and whether it was pulled for it. */
interface Presence {
  readonly id?: string;
  readonly pulled: boolean;
}

/** The candidate on the engine: it had it, or pulls it now. */
async function present(docker: Docker, name: string, candidate: PushedImage, credentials: RegistryCredentials | undefined, log: LogSink, signal?: AbortSignal): Promise<Presence> {
  try {
    const here = await localId(docker, name);
    if (here) return { id: here, pulled: false };
    log.line(`Build cache: pulling ${candidate.tag} (${name}), the last image pushed, for its layers`);
    const auth = await credentials?.credentials();
    await readJsonStream(await docker.createImage(authConfig(auth), { fromImage: name, abortSignal: signal }));
    // Its build's tag, as if built here: the janitor removes it with that build's other images
    // (a pull by digest alone leaves an image no tag names, which nothing would ever remove).
    await docker.getImage(name).tag({ repo: candidate.repository, tag: candidate.tag }).catch(() => undefined);
    const id = await localId(docker, name);
    log.line(`Build cache: pulled ${candidate.tag}; its layers serve the steps that did not change`);
    return { id, pulled: true };
  } catch (err) {
    log.line(`Build cache: could not pull ${name} (${signal?.aborted ? 'the build was stopped' : reason(err)}); building without it`);
    return { pulled: false };
  }
}

async function localId(docker: Docker, name: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(name).inspect()).Id;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The engine's newest image with a push build's tag of `repository` (`<repository>:git-<sha7>`). */
async function newestPushBuild(docker: Docker, repository: string): Promise<{ id: string; name: string } | undefined> {
  const images = await docker.listImages({ filters: { reference: [repository] } });
  let newest: { id: string; name: string; created: number } | undefined;
  for (const image of images) {
    const name = (image.RepoTags ?? []).find((t) => t.startsWith(`${repository}:`) && PUSH_TAG.test(t));
    if (name && (!newest || image.Created > newest.created)) newest = { id: image.Id, name, created: image.Created };
  }
  return newest && { id: newest.id, name: newest.name };
}

/** The engine's own message when it answered (without dockerode's prefix), else the error's. */
function reason(err: unknown): string {
  const failure = engineFailure(err);
  return failure.status !== undefined ? failure.message : describeError(err);
}
