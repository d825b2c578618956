/** A redis-server on 127.0.0.1, data folder under root: throwaway (no persistence), or durable (AOF, everysec). */
import fs from 'node:fs';
import path from 'node:path';
import { spawnLogged, stopProc, waitReady, type Proc } from './processes.ts';
import { redisPing } from './probes.ts';
import type { Log } from './types.ts';

/** Start redis-server on `port`, wait for PONG, and return its redis:// URL; the process joins `procs`. */
export async function startRedis(root: string, port: number, procs: Proc[], log: Log, durable = false): Promise<string> {
  const dir = path.join(root, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const proc = spawnLogged(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', durable ? 'yes' : 'no', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--dir', dir, '--daemonize', 'no', '--logfile', ''],
    path.join(root, 'redis.log'),
  );
  procs.push(proc);
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitReady(proc, () => redisPing(url, 500), 15_000);
  } catch (e) {
    await stopProc(proc, 2000, log);
    throw e;
  }
  log(`redis: ${url} (pid ${proc.pid}, ${Date.now() - t0} ms)`);
  return url;
}
