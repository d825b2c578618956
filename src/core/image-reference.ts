/** An image name as a person writes it: `[host[:port]/]path[:tag][@digest]`, e.g. `node:20.11`. */
export interface ImageReference {
  /** host[:port] of the registry, when the name has one; undefined means Docker Hub */
  readonly registry?: string;
  /** the name without tag or digest, registry included */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOMAIN = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
);

/**
 * Parses an image name with Docker's reference grammar (distribution/reference). The first
 * part is a registry only when it looks like a host (a dot, a port, upper case or `localhost`),
 * as Docker decides. Returns undefined for a name Docker would refuse. Pure.
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const match = REFERENCE.exec(text);
  if (!match || text.length > 512) return undefined;
  const [, first, path = '', tag, digest] = match;
  const isHost = first !== undefined && (/[.:A-Z]/.test(first) || first === 'localhost');
  if (first !== undefined && !isHost && !new RegExp(`^${COMPONENT}$`).test(first)) return undefined;
  const repository = first === undefined ? path : `${first}/${path}`;
  return { registry: isHost ? first : undefined, repository, tag, digest };
}
