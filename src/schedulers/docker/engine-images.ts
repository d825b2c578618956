import type Docker from 'dockerode';
import { describeError } from '../../core/errors.ts';
import { pinnedName } from '../../core/image.ts';
import type { LogSink } from '../../core/ports/build-log.ts';
import type { Release } from '../../core/ports/scheduler.ts';
import { BUILD_TAG } from '../../docker/image-pruner.ts';

/** Tags of an environment's releases on an engine: what runs, what a rollback goes back to, what is being rolled out. */
const ROLE = { current: '', previous: '-previous', next: '-next' } as const;
const roleTag = (environment: string, role: keyof typeof ROLE) => `slipway-${environment}${ROLE[role]}`;
/** The mark of an image a deploy brought: `deployed-git-<sha7>`, `deployed-pr<n>-<sha7>`. */
const MARK = 'deployed-';
const isMark = (tag: string) => tag.startsWith(MARK) && BUILD_TAG.test(tag.slice(MARK.length));

/**
 * The images the `docker` scheduler pulls onto a `docker.host` engine, kept from filling its disk.
 * A rollout tags the release image there `deployed-<build tag>` (the mark of an image a deploy
 * brought) and `slipway-<environment>-next`; once healthy, the replaced release's image gets
 * `slipway-<environment>-previous` and the new one `slipway-<environment>`. Then the service's
 * images with no such role tag (of any environment) and no container lose their `deployed-*`
 * tags, and the engine deletes those left without a tag. No other tag is ever removed: an image
 * a worker built on that engine keeps its build tag (the janitor's), one an operator tagged keeps
 * that tag, and images of other repositories or pulled by hand are never touched.
 */
export interface EngineImages {
  /** marks the release image, already on the engine, as Slipway's and as being rolled out */
  hold(docker: Docker, release: Release): Promise<void>;
  /** after a healthy rollout that replaced `previous` (a `repo@sha256:…`, if any): moves the role tags, then prunes. Never throws. */
  settle(docker: Docker, release: Release, previous: string | undefined, log: LogSink): Promise<string[]>;
  /** after an environment was removed (a closed preview): its role tags go, then its images as `settle` prunes. Never throws. */
  forget(docker: Docker, service: string, environment: string, log: LogSink): Promise<string[]>;
}

export const engineImages: EngineImages = {
  async hold(docker, release) {
    const { repository, tag } = release.image;
    const image = docker.getImage(pinnedName(release.image));
    await image.tag({ repo: repository, tag: `${MARK}${tag}` });
    await image.tag({ repo: repository, tag: roleTag(release.environment, 'next') });
  },

  async settle(docker, release, previous, log) {
    const { repository } = release.image;
    try {
      if (previous?.includes('@')) await docker.getImage(previous).tag({ repo: previous.slice(0, previous.indexOf('@')), tag: roleTag(release.environment, 'previous') });
      await docker.getImage(pinnedName(release.image)).tag({ repo: repository, tag: roleTag(release.environment, 'current') });
      await docker.getImage(`${repository}:${roleTag(release.environment, 'next')}`).remove().catch(() => undefined);
      return await prune(docker, repository, log);
    } catch (err) {
      log.line(`Could not remove earlier images of ${release.service} from this engine: ${describeError(err)}`);
      return [];
    }
  },

  async forget(docker, service, environment, log) {
    try {
      const roles = new Set(Object.keys(ROLE).map((role) => roleTag(environment, role as keyof typeof ROLE)));
      const repositories = new Set<string>();
      for (const image of await docker.listImages()) {
        for (const name of image.RepoTags ?? []) {
          const repository = name.slice(0, name.lastIndexOf(':'));
          if (!repository.endsWith(`/${service}`) || !roles.has(name.slice(repository.length + 1))) continue;
          await docker.getImage(name).remove();
          repositories.add(repository);
        }
      }
      const removed: string[] = [];
      for (const repository of repositories) removed.push(...(await prune(docker, repository, log)));
      return removed;
    } catch (err) {
      log.line(`Could not remove the images of ${service} in ${environment} from this engine: ${describeError(err)}`);
      return [];
    }
  },
};

/** Removes the `deployed-*` tags of `repository`'s images that hold no role tag and run in no container; returns them. */
async function prune(docker: Docker, repository: string, log: LogSink): Promise<string[]> {
  const images = await docker.listImages({ filters: { reference: [repository] } });
  const inUse = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
  const removed: string[] = [];
  for (const image of images) {
    const tags = (image.RepoTags ?? []).filter((name) => name.slice(0, name.lastIndexOf(':')) === repository).map((name) => name.slice(name.lastIndexOf(':') + 1));
    if (inUse.has(image.Id) || tags.some((tag) => tag.startsWith('slipway-'))) continue;
    for (const tag of tags.filter(isMark)) {
      try {
        await docker.getImage(`${repository}:${tag}`).remove();
        removed.push(tag);
      } catch (err) {
        log.line(`Could not remove ${repository}:${tag}: ${describeError(err)}`);
      }
    }
  }
  if (removed.length > 0) log.line(`Removed images of earlier releases from this engine: ${removed.join(', ')}`);
  return removed;
}
