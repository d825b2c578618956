import type Docker from 'dockerode';
import { isNotFound } from '../../docker/engine-error.ts';
import type { HealthGate } from './service-spec.ts';

/** Where an HTTP client may live in an image, and how it asks for one URL, failing on non-2xx. */
const CLIENTS: readonly { path: string; args: (url: string) => string[] }[] = [
  { path: '/usr/bin/wget', args: (url) => ['-q', '-O', '/dev/null', url] },
  { path: '/bin/wget', args: (url) => ['-q', '-O', '/dev/null', url] },
  { path: '/usr/bin/curl', args: (url) => ['-fsS', '-o', '/dev/null', url] },
  { path: '/bin/curl', args: (url) => ['-fsS', '-o', '/dev/null', url] },
];

/**
 * How a release's health is gated, decided from the image on the engine that built it: its own
 * HEALTHCHECK when it declares one; else a check of `url` the engine runs in the task with the
 * image's wget or curl; else (no client in the image, or the image is not on that engine) Slipway's
 * own probe. An engine check keeps a task `starting` until healthy and lets the engine itself
 * fail and roll back the update; Slipway's probe can only ask for the rollback.
 */
export async function healthGate(buildEngine: Docker, image: string, url: string): Promise<HealthGate> {
  let info: Docker.ImageInspectInfo;
  try {
    info = await buildEngine.getImage(image).inspect();
  } catch (err) {
    if (isNotFound(err)) return { by: 'slipway' };
    throw err;
  }
  const own = info.Config.Healthcheck?.Test;
  if (own && own.length > 0 && own[0] !== 'NONE') return { by: 'engine' };
  const client = await httpClientIn(buildEngine, image);
  return client ? { by: 'engine', test: ['CMD', client.path, ...client.args(url)] } : { by: 'slipway' };
}

/** The first HTTP client the image's file system has, looked up in a created (never started) container. */
async function httpClientIn(docker: Docker, image: string): Promise<(typeof CLIENTS)[number] | undefined> {
  const container = await docker.createContainer({ Image: image, Entrypoint: ['/never-started'], NetworkDisabled: true, Labels: { 'slipway.purpose': 'health-check probe' } });
  try {
    for (const client of CLIENTS) {
      // HEAD answers as a stream: read it to its end, or its socket stays taken (and the process up)
      const found = await container.infoArchive({ path: client.path }).then((res: NodeJS.ReadableStream) => Boolean(res.resume()), (err: unknown) => {
        if (isNotFound(err)) return false;
        throw err;
      });
      if (found) return client;
    }
    return undefined;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
