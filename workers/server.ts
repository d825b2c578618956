import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Build } from '../src/core/build.ts';
import { learnInstallation } from '../src/github/installations-from-builds.ts';
import { createApp } from '../src/http/app.ts';
import { lazyQueuesBoard } from '../src/http/lazy-queues-board.ts';
import { oauthBase } from '../src/http/oauth-base.ts';
import { createOutcomeCounts } from '../src/metrics/outcome-counts.ts';
import { createServerMetrics } from '../src/metrics/server-metrics.ts';
import { environmentsOverview } from '../src/pipeline/environments-overview.ts';
import { publishBuild } from '../src/pipeline/publish.ts';
import { createDeliveryLedger } from '../src/store/delivery-ledger.ts';
import { createRedisHeldDeploys } from '../src/store/redis-held-deploys.ts';
import { createRedisPreviewClosings } from '../src/store/redis-preview-closings.ts';
import { createDeliveryReceiver, type Reply } from '../src/webhook/receive-delivery.ts';
import { releaseControl } from './build-actions.ts';
import { environmentActions } from './environment-actions.ts';
import type { Runtime } from './runtime.ts';

/**
 * Posts "Queued" unless a worker already took the build. A worker does not wait for it: its own
 * statuses are later steps, so the StatusGate drops a "Queued" that comes after them (which is
 * also why the record is not read again here: one Redis read per delivery less).
 */
async function announceQueued(rt: Runtime, build: Build): Promise<void> {
  if (build.state === 'queued') await publishBuild({ statuses: rt.statuses, publicUrl: rt.config.publicUrl }, build);
}

/** Resolves true when the Redis connection is (or gets) ready within `timeoutMs`. */
async function redisReady(rt: Runtime, timeoutMs: number): Promise<boolean> {
  if (timeoutMs <= 0) return false;
  if (rt.redis.status === 'ready') {
    // "ready" while the socket is half-dead: let a ping decide, and ask again a moment later.
    if (await rt.redis.ping().then(() => true, () => false)) return true;
    await sleep(100);
    return redisReady(rt, timeoutMs - 100);
  }
  // Not events.once: it would give up at the first connection 'error' ioredis emits while retrying.
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      rt.redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    rt.redis.on('ready', onReady);
  });
}

/** The HTTP process: receives webhooks, serves the API and dashboard. Never builds or deploys. */
export async function startServer(rt: Runtime): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const { config, logger } = rt;
  const receive = createDeliveryReceiver({
    secret: config.github.webhookSecret,
    pipelines: rt.pipelines,
    ledger: createDeliveryLedger(rt.redis, config.redisPrefix),
    enqueuer: rt.enqueuer,
    redisBack: (timeoutMs) => redisReady(rt, timeoutMs),
    logger,
  });
  const control = releaseControl(rt);
  const afterQueued = (builds: Reply['queued']) => {
    for (const { build, lineHeldBy } of builds) {
      learnInstallation(rt.githubTokens, build);
      void announceQueued(rt, build).catch((err) => logger.warn({ err, build: build.id }, 'could not post the Queued status'));
      // After the answer, like the status: a newer push stops the older builds of its branch.
      void control.supersede(build, lineHeldBy).then(
        (ids) => ids.length > 0 && logger.info({ build: build.id, superseded: ids }, 'superseded older builds'),
        (err: unknown) => logger.warn({ err, build: build.id }, 'could not supersede older builds'),
      );
    }
  };
  if (!config.apiToken && !config.githubOAuth) logger.warn('SLIPWAY_API_TOKEN is not set: the API is open to anyone who reaches this server (build records and logs included)');
  const metrics = createServerMetrics({ redis: rt.redis, queuePrefix: rt.queuePrefix, counts: createOutcomeCounts(rt.redis, config.redisPrefix) });
  const signIn = config.githubOAuth && { ...config.githubOAuth, apiUrl: config.github.apiUrl, publicUrl: config.publicUrl };
  const held = createRedisHeldDeploys(rt.redis, config.redisPrefix);
  const closings = createRedisPreviewClosings(rt.redis, config.redisPrefix);
  const overview = () => environmentsOverview({ pipelines: rt.pipelines, store: rt.store, held, closings });
  const board = lazyQueuesBoard({ redis: rt.redis, queuePrefix: rt.queuePrefix });
  const shutdown = new AbortController();
  const app = createApp({ receive, afterQueued, store: rt.store, logger, apiToken: config.apiToken, metrics, signIn, environments: environmentActions(rt), buildActions: control, environmentsOverview: overview, queuesBoard: board.get, githubWebUrl: oauthBase(config.github.apiUrl), shutdown: shutdown.signal, healthy: async () => (await rt.redis.ping()) === 'PONG' });
  const server = createServer(app).listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  logger.info({ url }, 'HTTP server listening');
  return {
    server,
    url,
    close: () => {
      shutdown.abort(); // the dashboard's event streams end, so the server is not kept open by them
      return new Promise<void>((resolve) => server.close(() => resolve())).then(() => Promise.all([metrics.close(), board.close()])).then(() => undefined);
    },
  };
}
