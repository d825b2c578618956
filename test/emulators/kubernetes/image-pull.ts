// The kubelet's image pull, for real: the reference is resolved in the registry it names (a HEAD
// of the manifest, as containerd does first), then the test engine is made to have the image.
// Failures are worded as the kubelet reports a containerd pull error.
import type Docker from 'dockerode';

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Why a pull failed: `InvalidImageName` (never retried) or `ErrImagePull` (backed off and retried). */
export interface PullFailure { readonly reason: 'InvalidImageName' | 'ErrImagePull'; readonly message: string }

export async function pullImage(docker: Docker, image: string): Promise<PullFailure | undefined> {
  const ref = /^([^/]+)\/(.+?)(?:@(sha256:[0-9a-f]{64})|:([\w][\w.-]*))?$/.exec(image);
  if (!ref || !ref[1]!.includes(':') && !ref[1]!.includes('.') && ref[1] !== 'localhost') {
    return { reason: 'InvalidImageName', message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format` };
  }
  const [, host, repository, digest, tag] = ref;
  const reference = digest ?? tag ?? 'latest';
  const url = `http://${host}/v2/${repository}/manifests/${reference}`;
  const failed = (why: string): PullFailure => ({
    reason: 'ErrImagePull',
    message: `rpc error: code = ${why.endsWith('not found') ? 'NotFound' : 'Unknown'} desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${why}`,
  });
  try {
    const res = await fetch(url, { method: 'HEAD', headers: { accept: ACCEPT }, signal: AbortSignal.timeout(5000) });
    if (res.status === 404) return failed(`${image}: not found`);
    if (!res.ok) return failed(`unexpected status from HEAD request to ${url}: ${res.status} ${res.statusText}`);
  } catch (err) {
    return failed(`failed to do request: Head "${url}": ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`);
  }
  const present = await docker.getImage(image).inspect().then(() => true, () => false);
  if (!present) {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  }
  return undefined;
}
