import type { BuildDeps } from './deps.ts';

/**
 * Gets every pipeline service's last pushed image onto the worker's engine, one service at a
 * time, so that a worker new to a service has its layers before its first build of it: that
 * build then pulls only the layers pushed since (none, often), not the whole image. Meant to run
 * in the background when a build worker starts; a build that wants an image being pulled waits
 * for that same pull. Never throws: what could not be had is a log line, and the first build
 * tries again. Stops between services once `signal` aborts.
 */
export async function warmBuildCaches(deps: Pick<BuildDeps, 'pipelines' | 'store' | 'builder' | 'registry' | 'logger'>, signal?: AbortSignal): Promise<void> {
  const { builder } = deps;
  if (!builder.prefetch) return;
  for (const { service } of deps.pipelines) {
    if (signal?.aborted) return;
    const repository = `${deps.registry}/${service}`;
    try {
      const last = await deps.store.lastPushed(service);
      if (last?.repository !== repository) continue;
      await builder.prefetch(repository, last, { line: (text) => deps.logger.info({ service }, text) }, signal);
    } catch (err) {
      deps.logger.warn({ err, service }, 'could not look up the last pushed image to warm the build cache');
    }
  }
}
