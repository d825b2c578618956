import { approveHeld } from '../pipeline/release-control.ts';
import { createRedisHeldDeploys } from '../store/redis-held-deploys.ts';
import { type CommandIo, processIo, withRuntime } from './cli-runtime.ts';
import { runRequested } from './requested-deploy-command.ts';
import { parseTargetArguments } from './target-arguments.ts';
import { takeFlag } from './take-flag.ts';

/**
 * `slipway approve <service> <environment> [--no-wait]`: lets the deploy waiting for approval
 * there go, and prints the rollout until it ends. Exit 0 deployed (or queued, with --no-wait),
 * 1 nothing waits or it was not deployed, 2 a wrong command line.
 */
export async function approveCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  const { present: noWait, rest } = takeFlag(args, '--no-wait');
  const parsed = parseTargetArguments('approve', rest, {});
  if ('usage' in parsed) {
    io.err(`slipway: ${parsed.usage} [--no-wait]\n`);
    return 2;
  }
  const { service, environment } = parsed;
  return withRuntime(io, (rt) => {
    const held = createRedisHeldDeploys(rt.redis, rt.config.redisPrefix);
    return runRequested(rt, io, { verb: 'Approved: deploying', service, environment, wait: !noWait }, (deps) => approveHeld({ ...deps, held }, { service, environment }));
  });
}
