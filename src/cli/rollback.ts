import { queueRollback } from '../pipeline/queue-rollback.ts';
import { isBuildId } from '../core/build.ts';
import { type CommandIo, processIo } from './cli-runtime.ts';
import { requestedDeploy } from './requested-deploy-command.ts';
import { parseTargetArguments } from './target-arguments.ts';
import { takeFlag } from './take-flag.ts';


/**
 * `slipway rollback <service> <environment> [--to <build-id>] [--no-wait] [--server <url>]`:
 * deploys the release before the current one (or the named build's pushed image) by digest, past
 * the ancestry fence on purpose, and prints the rollout until it ends, like `slipway deploy`. On
 * Redis directly, or through a server's API with --server. Exit 0 rolled back (or queued, with
 * --no-wait), 1 nothing suitable to roll back to, the rollout failed, or Redis (or the server)
 * unreachable, 2 a wrong command line (usage, unknown service or environment).
 */
export async function rollbackCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  const { present: noWait, rest } = takeFlag(args, '--no-wait');
  const parsed = parseTargetArguments('rollback', rest, { to: 'build-id', server: 'url' });
  if ('usage' in parsed) return refuse(io, `${parsed.usage} [--no-wait]`);
  const { service, environment, options } = parsed;
  const to = options.to;
  if (to !== undefined && !isBuildId(to)) return refuse(io, `--to takes a build id (a number, as on the build page), not "${to}"`);
  const command = {
    verb: 'Rolling back: deploying', service, environment, wait: !noWait, build: to,
    done: (sha7: string, build: string) => `Rolled ${service} back to ${sha7} (build ${build}) in ${environment}`,
  };
  return requestedDeploy(io, options.server, command, (_rt, deps) => queueRollback(deps, { service, environment, to }), (api) => api.rollback(service, environment, to));
}

function refuse(io: CommandIo, message: string): number {
  io.err(`slipway: ${message}\n`);
  return 2;
}
