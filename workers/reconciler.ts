import type { Build, DeployRecord } from '../src/core/build.ts';
import type { Notifier } from '../src/core/ports/notifier.ts';
import { reconcile } from '../src/pipeline/reconcile.ts';
import { createRedisLock } from '../src/store/redis-lock.ts';
import { pipelineDeps, type Runtime } from './runtime.ts';

/** Records younger than this are left alone: the server is between recording and queueing them. */
const GRACE_MS = 60_000;

/**
 * Runs `reconcile` every `intervalMs` on one worker at a time (a Redis lease), so no build or
 * deploy stays `queued` or `running` without a job that will settle it, whatever crashed.
 */
export function startReconciler(rt: Runtime, notifier: Notifier, intervalMs: number, graceMs = GRACE_MS): { close(): Promise<void> } {
  const lock = createRedisLock(rt.redis, rt.config.redisPrefix);
  const deploy = (build: Build, d: DeployRecord) => ({ buildId: build.id, environment: d.environment, deployId: d.id, ...(d.rollback ? { rollback: true } : {}), ...(d.requested === 'approval' ? { approved: true } : {}) });
  const deps = {
    ...pipelineDeps(rt),
    notifier,
    buildJob: (buildId: string) => rt.enqueuer.buildJob(buildId),
    deployJob: (build: Build, d: DeployRecord) => rt.enqueuer.deployJob(deploy(build, d)),
    enqueueBuild: (buildId: string) => rt.enqueuer.enqueueBuild({ buildId }),
    enqueueDeploy: (build: Build, d: DeployRecord) => rt.enqueuer.enqueueDeploy(deploy(build, d)),
  };
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    const lease = await lock.acquire('reconcile', intervalMs);
    if (!lease) return;
    try {
      const done = await reconcile(deps, { graceMs });
      if (done.requeued.length + done.settled.length > 0) rt.logger.info(done, 'reconciled work no job would settle');
    } finally {
      await lock.release('reconcile', lease);
    }
  };
  const timer = setInterval(() => {
    running = running.then(pass).catch((err: unknown) => rt.logger.warn({ err }, 'reconcile pass failed'));
  }, intervalMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
