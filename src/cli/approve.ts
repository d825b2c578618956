import { approveHeld } from '../pipeline/release-control.ts';
import { createRedisHeldDeploys } from '../store/redis-held-deploys.ts';
import { type CommandIo, processIo } from './cli-runtime.ts';
import { requestedDeploy } from './requested-deploy-command.ts';
import { parseTargetArguments } from './target-arguments.ts';
import { takeFlag } from './take-flag.ts';

/**
 * `slipway approve <service> <environment> [--no-wait] [--server <url>]`: lets the deploy waiting
 * for approval there go, and prints the rollout until it ends. On Redis directly, or through a
 * server's API with --server. Exit 0 deployed (or queued, with --no-wait), 1 nothing waits or it
 * was not deployed, 2 a wrong command line.
 */
export async function approveCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  const { present: noWait, rest } = takeFlag(args, '--no-wait');
  const parsed = parseTargetArguments('approve', rest, { server: 'url' });
  if ('usage' in parsed) {
    io.err(`slipway: ${parsed.usage} [--no-wait]\n`);
    return 2;
  }
  const { service, environment, options } = parsed;
  const command = { verb: 'Approved: deploying', service, environment, wait: !noWait };
  return requestedDeploy(io, options.server, command, (rt, deps) => approveHeld({ ...deps, held: createRedisHeldDeploys(rt.redis, rt.config.redisPrefix) }, { service, environment }), (api) => api.approve(service, environment));
}
