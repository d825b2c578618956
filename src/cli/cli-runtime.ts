import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/load-config.ts';
import { loadPipelines } from '../config/load-pipelines.ts';
import { previewSettings, schedulerSettings } from '../schedulers/settings.ts';
import { connectRedis, describeRedisTarget, type RedisTarget } from '../store/redis-connection.ts';
import { createLogger } from '../../workers/logger.ts';
import { createRuntime, type Runtime } from '../../workers/runtime.ts';
import { humanLogDestination } from './human-log.ts';

const REDIS_WAIT_MS = 5_000;

/** Where an operator command writes: its answer to `out`, problems to `err`. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/**
 * Runs an operator command against the state a running Slipway shares (Redis records and queues,
 * pipelines, commit statuses) without needing its server or worker. Config and pipelines are
 * validated first (CONFIG_INVALID / PIPELINE_INVALID thrown, as for every command), then Redis is
 * probed: exit code 1 with a plain message when it does not answer. The operator's log goes to
 * stderr as one plain line per entry (never JSON): warnings and errors for a command that acts
 * (a missing GITHUB_TOKEN means its statuses are not posted), errors only for one that only reads
 * (`readOnly`), where such a warning does not matter. Connections are closed after.
 */
export async function withRuntime(io: CommandIo, work: (rt: Runtime) => Promise<number>, options: { readOnly?: boolean } = {}): Promise<number> {
  const config = loadConfig();
  const quieter = ['error', 'fatal', 'silent'].includes(config.logLevel);
  const level = quieter ? config.logLevel : options.readOnly ? 'error' : 'warn';
  const logger = createLogger(level, 'slipway', humanLogDestination((text) => io.err(text)));
  const pipelines = loadPipelines(config.pipelinesDir, schedulerSettings, previewSettings);
  // Probed on a connection of its own: the queues' connections would report a dead Redis loudly, then retry.
  const problem = await probeRedis(config);
  if (problem) {
    io.err(`slipway: cannot reach Redis at ${describeRedisTarget(config)}: ${problem}\n`);
    return 1;
  }
  const rt = createRuntime(config, logger, 'fail-fast', pipelines);
  try {
    // fail-fast refuses commands until connected: a Redis that goes away mid-command fails it, never hangs it
    if (rt.redis.status !== 'ready') await Promise.race([once(rt.redis, 'ready').catch(() => undefined), sleep(REDIS_WAIT_MS, undefined, { ref: false })]);
    return await work(rt);
  } finally {
    await rt.close();
  }
}

/** Undefined when Redis answers a PING, else what went wrong. One connection attempt, no retries. */
async function probeRedis(target: RedisTarget): Promise<string | undefined> {
  const redis = connectRedis(target, { lazyConnect: true, connectTimeout: REDIS_WAIT_MS, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let cause: string | undefined; // the socket's own error says more than connect()'s "Connection is closed"
  redis.on('error', (err: Error) => void (cause ??= err.message));
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    return cause ?? ((err as Error).message || String(err));
  } finally {
    redis.disconnect();
  }
}
