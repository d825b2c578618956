import { randomBytes } from 'node:crypto';
import { imageTag, type PushedImage } from '../../src/core/image.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../../src/docker/image-pusher.ts';
import { createStaticCredentials } from '../../src/registries/static-credentials.ts';
import { buildContext } from './build-context.ts';
import { testEnv } from './env.ts';
import { memoryLog } from './memory-log.ts';

/** sh (PID 1) traps TERM so a stop is quick; httpd serves /www on 127.0.0.1:$PORT. */
const SERVE = `CMD ["sh", "-c", "trap 'exit 0' TERM; busybox httpd -f -p 127.0.0.1:$PORT -h /www & wait"]`;
/** Starts and keeps running, but never answers HTTP: a release that never becomes healthy. */
const SILENT = `CMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;
/** Says why it cannot run and exits 3 at once: a release that crashes. */
const CRASH = `CMD ["sh", "-c", "echo fatal: DATABASE_URL is not set >&2; exit 3"]`;

export interface SiteOptions {
  /** false: an image that runs but never answers */
  readonly healthy?: boolean;
  /** true: an image that exits 3 as soon as it starts */
  readonly crashes?: boolean;
  /** false: no wget in the image (nothing in it can ask for a URL) */
  readonly wget?: boolean;
  /** push to the registry with htpasswd auth instead of the plain one */
  readonly authRegistry?: boolean;
}

/**
 * Builds an image FROM local/busybox in the test engine and pushes it to the test registry, as
 * the build pipeline would hand it to a deploy. `healthy: false` makes one that never answers,
 * `crashes: true` one that exits 3 as soon as it starts.
 */
export async function publishSite(repository: string, page: string, options: SiteOptions = {}): Promise<PushedImage> {
  const env = testEnv();
  const docker = createDockerClient(env.dockerHost);
  const sha = randomBytes(20).toString('hex');
  const cmd = options.crashes ? CRASH : options.healthy === false ? SILENT : SERVE;
  const strip = options.wget === false ? 'RUN rm -f /bin/wget /usr/bin/wget /sbin/wget /usr/sbin/wget\n' : '';
  const built = await createDockerImageBuilder(docker).build(
    {
      context: buildContext({ Dockerfile: `FROM local/busybox\nRUN mkdir -p /www && echo '${page}' > /www/index.html\n${strip}${cmd}\n` }),
      dockerfile: 'Dockerfile',
      image: { repository: `${options.authRegistry ? env.authRegistry : env.registry}/${repository}`, tag: imageTag(sha) },
      labels: { 'org.opencontainers.image.revision': sha },
    },
    memoryLog(),
  );
  const credentials = options.authRegistry ? { username: env.authUsername, password: env.authPassword, serveraddress: env.authRegistry } : undefined;
  return createDockerImagePusher(docker, createStaticCredentials(credentials)).push(built, memoryLog());
}

/** A digest-pinned reference to an image that was never pushed. */
export function missingImage(repository: string): PushedImage {
  const env = testEnv();
  return { repository: `${env.registry}/${repository}`, tag: 'git-0000000', digest: `sha256:${'0'.repeat(64)}` };
}
