import type Docker from 'dockerode';
import type { Logger } from 'pino';

/** The tags builds give their images (run-build.ts): `git-<sha7>`, and `pr<n>-<sha7>` for pull requests. */
export const BUILD_TAG = /^(?:git|pr\d+)-([0-9a-f]{7})$/;

/**
 * Removes a worker's build images from its engine once their builds are no longer kept. Never
 * throws: a failure is logged and the tag stays for the next round.
 */
export interface ImagePruner {
  /**
   * Removes the tags `<repository>:git-*` and `:pr<n>-*` whose commit (first 7 of the sha) is not
   * in `keepShas`, except on an image a container (running or not) uses. An image left without a
   * tag is deleted by the engine. Other tags of the repository are never touched. Returns the
   * tags removed.
   */
  prune(repository: string, keepShas: ReadonlySet<string>): Promise<string[]>;
}

export function createImagePruner(docker: Docker, logger: Logger): ImagePruner {
  return {
    async prune(repository, keepShas) {
      let candidates: { tag: string; imageId: string }[];
      let inUse: Set<string>;
      try {
        candidates = await buildTags(docker, repository, keepShas);
        if (candidates.length === 0) return [];
        inUse = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
      } catch (err) {
        logger.warn({ err, repository }, 'could not list images to prune');
        return [];
      }
      const removed: string[] = [];
      for (const { tag, imageId } of candidates) {
        if (inUse.has(imageId)) continue;
        try {
          await docker.getImage(`${repository}:${tag}`).remove();
          removed.push(tag);
        } catch (err) {
          logger.warn({ err, image: `${repository}:${tag}` }, 'could not remove an image of a deleted build');
        }
      }
      if (removed.length > 0) logger.info({ repository, tags: removed }, 'removed images of deleted builds');
      return removed;
    },
  };
}

/** Build tags of `repository` in the engine whose commit is not kept. */
async function buildTags(docker: Docker, repository: string, keepShas: ReadonlySet<string>): Promise<{ tag: string; imageId: string }[]> {
  const images = await docker.listImages({ filters: { reference: [repository] } });
  return images.flatMap((image) =>
    (image.RepoTags ?? []).flatMap((name) => {
      const at = name.lastIndexOf(':');
      if (name.slice(0, at) !== repository) return [];
      const tag = name.slice(at + 1);
      const sha = BUILD_TAG.exec(tag)?.[1];
      return sha !== undefined && !keepShas.has(sha) ? [{ tag, imageId: image.Id }] : [];
    }),
  );
}
