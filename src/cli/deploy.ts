import { requestDeploy } from '../pipeline/release-control.ts';
import { isBuildId } from '../core/build.ts';
import { type CommandIo, processIo } from './cli-runtime.ts';
import { requestedDeploy } from './requested-deploy-command.ts';
import { parseTargetArguments } from './target-arguments.ts';
import { takeFlag } from './take-flag.ts';


/**
 * `slipway deploy <service> <environment> --build <id> [--no-wait] [--server <url>]`: deploys an
 * already pushed build of the service (any branch) by its digest, without rebuilding, waiting for
 * no approval and past the "never older over newer" fence; prints the rollout until it ends. On
 * Redis directly, or through a server's API with --server. Exit 0 deployed (or queued, with
 * --no-wait), 1 not deployable or not deployed, 2 a wrong command line.
 */
export async function deployCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  const { present: noWait, rest } = takeFlag(args, '--no-wait');
  const parsed = parseTargetArguments('deploy', rest, { build: 'id', server: 'url' });
  if ('usage' in parsed) return refuse(io, `${parsed.usage} [--no-wait]`);
  const { service, environment, options } = parsed;
  if (options.build === undefined) return refuse(io, 'deploy needs --build <id>: the pushed build to deploy (see `slipway releases` or the dashboard)');
  if (!isBuildId(options.build)) return refuse(io, `--build takes a build id (a number, as on the build page), not "${options.build}"`);
  const buildId = options.build;
  const command = { verb: 'Deploying', service, environment, wait: !noWait, build: buildId };
  return requestedDeploy(io, options.server, command, (_rt, deps) => requestDeploy(deps, { service, environment, buildId }), (api) => api.deploy(service, environment, buildId));
}

function refuse(io: CommandIo, message: string): number {
  io.err(`slipway: ${message}\n`);
  return 2;
}
