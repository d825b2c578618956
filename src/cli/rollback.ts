import type { DeployRecord } from '../core/build.ts';
import { taggedName } from '../core/image.ts';
import { deployJobData } from '../queue/jobs.ts';
import { pipelineDeps } from '../../workers/runtime.ts';
import { queueRollback, type RollbackResult } from '../pipeline/queue-rollback.ts';
import { type CommandIo, processIo, withRuntime } from './cli-runtime.ts';
import { parseTargetArguments } from './target-arguments.ts';

const BUILD_ID = /^\d{1,15}$/;

/**
 * `slipway rollback <service> <environment> [--to <build-id>]`: queues a deploy of the release
 * before the current one (or of the named build's pushed image) for the workers, bypassing the
 * ancestry fence on purpose, and says where to watch it. Exit 0 queued, 1 nothing suitable to
 * roll back to (or Redis down), 2 a wrong command line (usage, unknown service or environment).
 */
export async function rollbackCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  const parsed = parseTargetArguments('rollback', args, { to: 'build-id' });
  if ('usage' in parsed) return refuse(io, parsed.usage, 2);
  const { service, environment, options } = parsed;
  if (options.to !== undefined && !BUILD_ID.test(options.to)) return refuse(io, `--to takes a build id (a number, as on the build page), not "${options.to}"`, 2);
  return withRuntime(io, async (rt) => {
    const deps = {
      ...pipelineDeps(rt),
      enqueueDeploy: (buildId: string, deploy: DeployRecord) => rt.enqueuer.enqueueDeploy(deployJobData(buildId, deploy)),
    };
    const result = await queueRollback(deps, { service, environment, to: options.to });
    if ('refused' in result) return refuse(io, result.refused, result.reason === 'unknown_target' ? 2 : 1);
    io.out(describeQueued(service, environment, result));
    return 0;
  });
}

function describeQueued(service: string, environment: string, { queued }: Extract<RollbackResult, { queued: unknown }>): string {
  const { build, current, url } = queued;
  const image = build.image!;
  const now = current ? `build ${current.buildId} (${current.sha.slice(0, 7)})` : 'nothing Slipway recorded';
  return (
    `Queued a rollback of ${service} in ${environment} to build ${build.id} (${build.event.sha.slice(0, 7)}, ${taggedName(image)}@${image.digest}).\n` +
    `  Running there now: ${now}. A worker deploys it; the ancestry fence does not apply.\n` +
    `  Watch it: ${url}\n`
  );
}

function refuse(io: CommandIo, message: string, code: 1 | 2): number {
  io.err(`slipway: ${message}\n`);
  return code;
}
