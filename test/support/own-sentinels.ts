import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';
import { makeTempDir, removeTempDir } from './temp-dir.ts';

/**
 * Redis as a team runs it behind Sentinel, of a test's own, on 127.0.0.1: a primary and a replica
 * (redis-server, AOF and noeviction as production runs it, a password) watched by three
 * sentinels (Debian's redis-sentinel) that fail over a second after the primary stops answering.
 */
export interface OwnSentinels {
  /** the name the sentinels monitor the primary under (REDIS_SENTINEL_NAME) */
  readonly name: string;
  readonly password: string;
  /** REDIS_SENTINELS */
  readonly sentinels: string;
  readonly sentinelPorts: readonly number[];
  /** the port every sentinel names as the primary now; throws while they disagree or none answers */
  primaryPort(): Promise<number>;
  /** stops the redis-server on `port` (SIGTERM: a primary first waits for its replica to catch up; SIGKILL: a crash) */
  stop(port: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** freezes the redis-server on `port` (SIGSTOP): its connections stay open and it answers nothing, as a hung host */
  freeze(port: number): void;
  /** starts a redis-server on `port` as a replica of `of`; resolves once it is in sync and every sentinel counts it */
  startReplica(port: number, of: number): Promise<void>;
  /** waits until every sentinel names a primary other than `from` and it takes writes; its port */
  failedOver(from: number, timeoutMs?: number): Promise<number>;
  /** a client of the redis-server on `port` (the caller quits it) */
  client(port: number, db?: number): Redis;
  /** stops everything and removes the data folder */
  close(): Promise<void>;
}

const NAME = 'slipway-test';
const PASSWORD = 'sentinel-test-pw';

export async function startOwnSentinels(): Promise<OwnSentinels> {
  const dir = makeTempDir('slipway-own-sentinels-');
  const procs = new Map<number, ChildProcess>();
  // A test process that ends without its after hook (a hang, a signal) leaves no Redis behind.
  const killAll = () => {
    for (const p of procs.values()) p.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const [primary, replica] = [await freePort(), await freePort()];
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];
  const client = (port: number, db = 0) => new Redis({ host: '127.0.0.1', port, db, password: PASSWORD, lazyConnect: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  const sentinelClient = (port: number) => new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });

  const startServer = (port: number, replicaOf?: number) => {
    const args = [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`, '--appendfilename', `aof-${port}`,
      '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction',
      '--requirepass', PASSWORD, '--masterauth', PASSWORD, '--repl-diskless-sync-delay', '0', '--logfile', join(dir, `redis-${port}.log`),
      ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : []),
    ];
    procs.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
  };
  const startSentinel = (port: number) => {
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `logfile ${join(dir, `sentinel-${port}.log`)}`,
      `sentinel monitor ${NAME} 127.0.0.1 ${primary} 2`,
      `sentinel auth-pass ${NAME} ${PASSWORD}`,
      `sentinel down-after-milliseconds ${NAME} 1000`,
      `sentinel failover-timeout ${NAME} 3000`,
      `sentinel parallel-syncs ${NAME} 1`,
    ].join('\n') + '\n');
    procs.set(port, spawn('redis-sentinel', [conf], { stdio: 'ignore' }));
  };
  const stop = async (port: number, signal: 'SIGTERM' | 'SIGKILL') => {
    const p = procs.get(port);
    procs.delete(port);
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = once(p, 'exit');
    p.kill(signal);
    const stuck = setTimeout(() => p.kill('SIGKILL'), 15_000); // bounded, whatever it is stuck on
    await exited.finally(() => clearTimeout(stuck));
  };
  const ask = async <T>(redis: Redis, question: (r: Redis) => Promise<T>): Promise<T> => {
    redis.on('error', () => undefined);
    try {
      return await question(redis);
    } finally {
      redis.disconnect();
    }
  };
  const primaryPort = async () => {
    const named = await Promise.all(sentinelPorts.map((port) => ask(sentinelClient(port), (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME) as Promise<[string, string]>)));
    const ports = new Set(named.map((n) => Number(n[1])));
    if (ports.size !== 1) throw new Error(`the sentinels disagree: ${named.map((n) => n.join(':')).join(', ')}`);
    return [...ports][0]!;
  };
  /** polls `ready` every 100 ms (a throw counts as not yet) until it holds; throws `what` after `timeoutMs` */
  const until = async (what: string, ready: () => Promise<boolean>, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        if (await ready()) return;
      } catch (err) {
        last = err;
      }
      if (Date.now() > end) throw new Error(`sentinels: timed out waiting for ${what}${last ? ` (${(last as Error).message})` : ''}; logs in ${dir}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const close = async () => {
    process.off('exit', killAll);
    await Promise.all([...procs.keys()].map((port) => stop(port, 'SIGKILL')));
    removeTempDir(dir);
  };

  const replicaReady = async (port: number) => {
    await until(`the replica on ${port} to sync`, () => ask(client(port), async (r) => /master_link_status:up/.test(await r.info('replication'))), 20_000);
    await until(`every sentinel to count the replica on ${port} and know the other sentinels`, async () => {
      for (const s of sentinelPorts) {
        const replicas = await ask(sentinelClient(s), (r) => r.call('SENTINEL', 'REPLICAS', NAME) as Promise<string[][]>);
        const entry = replicas.map((fields) => (key: string) => fields[fields.indexOf(key) + 1]).find((field) => field('port') === String(port));
        if (entry?.('flags') !== 'slave') return false;
        const fields = await ask(sentinelClient(s), (r) => r.call('SENTINEL', 'MASTER', NAME) as Promise<string[]>);
        if (fields[fields.indexOf('num-other-sentinels') + 1] !== '2') return false;
      }
      return true;
    }, 30_000);
  };

  try {
    startServer(primary);
    startServer(replica, primary);
    for (const port of sentinelPorts) startSentinel(port);
    // Ready for a failover: the replica in sync, and every sentinel knowing it and the two others.
    await replicaReady(replica);
  } catch (err) {
    await close();
    throw err;
  }

  return {
    name: NAME,
    password: PASSWORD,
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    sentinelPorts,
    primaryPort,
    stop,
    freeze(port) {
      procs.get(port)?.kill('SIGSTOP');
    },
    async startReplica(port, of) {
      startServer(port, of);
      await replicaReady(port);
    },
    async failedOver(from, timeoutMs = 30_000) {
      let to = 0;
      await until(`a primary other than 127.0.0.1:${from}`, async () => {
        to = await primaryPort();
        if (to === from) return false;
        return ask(client(to), async (r) => (await r.set('slipway-test:failed-over', '1')) === 'OK');
      }, timeoutMs);
      return to;
    },
    client,
    close,
  };
}
