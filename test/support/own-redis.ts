import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { redisPing } from '../../scripts/local-services/probes.ts';
import { freePort } from './free-port.ts';
import { makeTempDir, removeTempDir } from './temp-dir.ts';

/**
 * A redis-server of a test's own, with append-only persistence as production runs it, that the
 * test may stop and start again on the same port (the shared one `npm test` starts must stay up).
 */
export interface OwnRedis {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stops it for good and removes its data folder */
  close(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = makeTempDir('slipway-own-redis-');
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    const until = Date.now() + 15_000;
    while (!(await redisPing(url, 300))) {
      if (Date.now() > until || proc.exitCode !== null) throw new Error(`redis-server on ${url} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = once(p, 'exit');
    p.kill('SIGTERM'); // redis-server fsyncs the AOF and exits
    const stuck = setTimeout(() => p.kill('SIGKILL'), 15_000); // bounded, whatever it is stuck on
    await exited.finally(() => clearTimeout(stuck));
  };
  await start();
  return {
    url,
    stop,
    start,
    async close() {
      await stop();
      removeTempDir(dir);
    },
  };
}
