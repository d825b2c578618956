import type { Runtime } from '../../workers/runtime.ts';
import { type CommandIo, withRuntime } from './cli-runtime.ts';
import { serverActions, type ServerActions } from './server-actions.ts';
import { serverReads } from './server-reads.ts';
import type { SlipwayReads } from './slipway-reads.ts';
import { serverProblemsAsExit } from './with-reads.ts';

/**
 * Runs an acting command (deploy, promote, approve, rollback, cancel, rerun) on Redis directly
 * (`onRedis`: this configuration, no server needed) or, with `--server <url>`, through that
 * server's API with SLIPWAY_API_TOKEN (`onServer`: its POST routes, and its reads to follow the
 * rollout). A server that cannot be reached or refuses the token is exit 1 with one line.
 */
export function withActions(
  io: CommandIo,
  server: string | undefined,
  onRedis: (rt: Runtime) => Promise<number>,
  onServer: (api: ServerActions, reads: SlipwayReads) => Promise<number>,
): Promise<number> {
  if (server === undefined) return withRuntime(io, onRedis);
  const token = process.env.SLIPWAY_API_TOKEN;
  return serverProblemsAsExit(io, () => onServer(serverActions(server, token), serverReads(server, token)));
}
