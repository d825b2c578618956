import type { Logger } from 'pino';
import type { Config } from '../src/config/config.ts';
import { giveBackMemoryWhenIdle } from './memory-when-idle.ts';
import { createRuntime, type Runtime } from './runtime.ts';

export { registryCredentialsFor } from './registry-credentials.ts';

export type Role = 'server' | 'worker';

export interface Running {
  /** the HTTP server's base URL, when the server role runs */
  readonly url?: string;
  readonly pipelines: Runtime['pipelines'];
  /** stops taking work, lets running jobs finish, closes connections */
  close(): Promise<void>;
}

/**
 * The composition root: builds every adapter from the validated config and starts the roles
 * asked for. `server` takes webhooks and serves the API; `worker` builds and deploys.
 */
export async function startSlipway(config: Config, roles: readonly Role[], logger: Logger): Promise<Running> {
  const closers: (() => Promise<void>)[] = [];
  let url: string | undefined;
  let pipelines: Runtime['pipelines'] = [];
  try {
    if (roles.includes('worker')) {
      const rt = createRuntime(config, logger.child({ role: 'worker' }), 'patient');
      pipelines = rt.pipelines;
      closers.push(() => rt.close());
      const { startWorkers } = await import('./worker-role.ts');
      const workers = startWorkers(rt);
      closers.push(() => Promise.all(workers.map((w) => w.close())).then(() => undefined));
    }
    if (roles.includes('server')) {
      const rt = createRuntime(config, logger.child({ role: 'server' }), 'fail-fast');
      pipelines = rt.pipelines;
      closers.push(() => rt.close());
      const { startServer } = await import('./server.ts');
      const server = await startServer(rt);
      url = server.url;
      closers.push(() => server.close());
    }
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
  const memory = giveBackMemoryWhenIdle();
  closers.unshift(async () => memory.stop());
  return { url, pipelines, close: () => closeAll(closers) };
}

/** Closes in reverse order of opening: server first, then workers, then connections. */
async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => undefined);
}
