import { isSettled } from '../core/build.ts';
import { buildsPage } from '../pipeline/builds-page.ts';
import { environmentsOverview } from '../pipeline/environments-overview.ts';
import { releaseHistory } from '../pipeline/release-history.ts';
import { createRedisHeldDeploys } from '../store/redis-held-deploys.ts';
import { createRedisPreviewClosings } from '../store/redis-preview-closings.ts';
import type { Runtime } from '../../workers/runtime.ts';
import { type CommandIo, withRuntime } from './cli-runtime.ts';
import { serverReads } from './server-reads.ts';
import { ServerProblem } from './server-call.ts';
import type { SlipwayReads } from './slipway-reads.ts';

/**
 * Runs a reading command against the server at `server` (with SLIPWAY_API_TOKEN) or, without it,
 * against Redis and the pipelines of this configuration (no server needed). A server that cannot
 * be reached or refuses the token is exit 1 with one line saying so.
 */
export async function withReads(io: CommandIo, server: string | undefined, work: (reads: SlipwayReads) => Promise<number>): Promise<number> {
  if (server === undefined) return withRuntime(io, (rt) => work(directReads(rt)), { readOnly: true });
  return serverProblemsAsExit(io, () => work(serverReads(server, process.env.SLIPWAY_API_TOKEN)));
}

/** Runs a command against a server: one that cannot be reached or refuses the token is exit 1 with one line saying so. */
export async function serverProblemsAsExit(io: CommandIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ServerProblem)) throw err;
    io.err(`slipway: ${err.message}\n`);
    return 1;
  }
}

function directReads(rt: Runtime): SlipwayReads {
  const held = createRedisHeldDeploys(rt.redis, rt.config.redisPrefix);
  return {
    builds: (filter) => buildsPage(rt.store, filter),
    build: (id) => rt.store.get(id),
    async log(id, from) {
      // The record first: a build read settled has written every line the log read after it holds.
      const build = await rt.store.get(id);
      return { ...(await rt.store.readLog(id, from)), finished: build === undefined || isSettled(build) };
    },
    environments: () => environmentsOverview({ pipelines: rt.pipelines, store: rt.store, held, closings: createRedisPreviewClosings(rt.redis, rt.config.redisPrefix) }),
    releases: (service, environment, limit) => releaseHistory(rt, service, environment, limit),
  };
}
