// What `docker pull <repo>@sha256:…` would find: a HEAD of the manifest in the registry the image
// names (the real local test registry). Test-only code.

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** undefined when the registry has the image, else what `docker pull` would say. */
export async function pullProblem(image: string): Promise<string | undefined> {
  const at = image.lastIndexOf('@');
  const [repo, reference] = at === -1 ? splitTag(image) : [image.slice(0, at), image.slice(at + 1)];
  const slash = repo.indexOf('/');
  const first = slash === -1 ? '' : repo.slice(0, slash);
  if (!/[.:]/.test(first) && first !== 'localhost') return `pull access denied for ${repo}: only images in a registry host[:port] can be pulled here`;
  const scheme = /^(127\.|localhost)/.test(first) ? 'http' : 'https';
  const url = `${scheme}://${first}/v2/${repo.slice(slash + 1)}/manifests/${reference}`;
  try {
    const res = await fetch(url, { method: 'HEAD', headers: { accept: ACCEPT }, signal: AbortSignal.timeout(5_000) });
    if (res.status === 200) return undefined;
    return res.status === 404 ? `manifest for ${image} not found: manifest unknown` : `Error response from daemon: ${url}: HTTP ${res.status}`;
  } catch (err) {
    return `Error response from daemon: Get "${url}": ${(err as Error).message}`;
  }
}

function splitTag(image: string): [string, string] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
}
