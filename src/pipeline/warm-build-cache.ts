import type { BuildDeps } from './deps.ts';

type WarmDeps = Pick<BuildDeps, 'pipelines' | 'store' | 'builder' | 'registry' | 'logger'>;

/**
 * Keeps a build worker's engine holding each pipeline service's last pushed image, so that its
 * next build of a service pulls only the layers pushed since (none, often), not the whole image.
 * `warm(service)` asks for that service's image: when the worker starts (every service), and each
 * time any worker pushes one (pushed-images-channel.ts). One service at a time, in the background;
 * the image pulled is the service's newest pushed one when its turn comes, so asking again while
 * it waits changes nothing, and asking while it is pulled pulls once more after (the layers pushed
 * since). A build that wants an image being pulled waits for that same pull. Nothing here throws:
 * what could not be had is a log line, and the next build tries again. Stops once `signal` aborts.
 * `afterWarm` (the janitor's image round; never rejects) runs after each turn that pulled an image,
 * before the next: images of builds no longer kept go, so following the pushes never fills the disk.
 * A turn that pulled nothing (the worker hearing of its own push, whose image it built) adds no image.
 */
export interface BuildCacheWarmer {
  warm(service: string): void;
  /** resolves once nothing is waiting or being pulled */
  idle(): Promise<void>;
}

export function createBuildCacheWarmer(deps: WarmDeps, signal?: AbortSignal, afterWarm?: (service: string) => Promise<void>): BuildCacheWarmer {
  const services = new Set(deps.pipelines.map((p) => p.service));
  /** in the order asked; a Set's iteration also visits what is added while it runs */
  const waiting = new Set<string>();
  let running: Promise<void> | undefined;

  async function drain(): Promise<void> {
    for (const service of waiting) {
      waiting.delete(service);
      if (signal?.aborted) break;
      if (await warmOne(deps, service, signal)) await afterWarm?.(service);
    }
    if (signal?.aborted) waiting.clear();
  }
  function start(): void {
    running = drain().finally(() => {
      running = undefined;
      if (waiting.size > 0) start(); // asked for between the loop's end and this
    });
  }

  return {
    warm(service) {
      if (!deps.builder.prefetch || !services.has(service) || signal?.aborted) return;
      waiting.add(service);
      if (!running) start();
    },
    async idle() {
      while (running) await running;
    },
  };
}

/** Pulls the service's last pushed image unless the engine has it: true when it pulled. */
async function warmOne(deps: WarmDeps, service: string, signal?: AbortSignal): Promise<boolean> {
  const repository = `${deps.registry}/${service}`;
  try {
    const last = await deps.store.lastPushed(service);
    if (last?.repository !== repository) return false;
    return (await deps.builder.prefetch?.(repository, last, { line: (text) => deps.logger.info({ service }, text) }, signal)) ?? false;
  } catch (err) {
    deps.logger.warn({ err, service }, 'could not look up the last pushed image to warm the build cache');
    return false;
  }
}
