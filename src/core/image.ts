/**
 * A container image as it moves between stages: `build` returns one without a digest,
 * `push` returns the same reference with the registry's digest, and deploys use the digest.
 */
export interface ImageRef {
  /** registry host[:port][/namespace]/service, no tag */
  readonly repository: string;
  /** always `git-<sha7>`; never `latest` */
  readonly tag: string;
  /** the local image id (`sha256:…`) the engine gave the build */
  readonly id?: string;
  /** the registry manifest digest (`sha256:…`), known once pushed */
  readonly digest?: string;
}

export type PushedImage = ImageRef & { readonly digest: string };

export function imageTag(sha: string): string {
  return `git-${sha.slice(0, 7)}`;
}

/** `repo:tag`, the name a human reads. */
export function taggedName(image: ImageRef): string {
  return `${image.repository}:${image.tag}`;
}

/** `repo@sha256:…`, the immutable name schedulers should run. */
export function pinnedName(image: PushedImage): string {
  return `${image.repository}@${image.digest}`;
}
