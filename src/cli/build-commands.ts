import { isBuildId, type Build } from '../core/build.ts';
import { buildUrl } from '../pipeline/publish.ts';
import { releaseControl } from '../../workers/build-actions.ts';
import type { CancelResult } from '../pipeline/cancel-build.ts';
import type { RerunResult } from '../pipeline/rerun-build.ts';
import { type CommandIo, processIo } from './cli-runtime.ts';
import { parseCommandLine } from './command-line.ts';
import { withActions } from './with-actions.ts';


/**
 * `slipway cancel <build> [--server <url>]`: stops a queued or running build (it ends `cancelled`,
 * its status `Cancelled …`, it never deploys), waiting a few seconds for the worker running it. On
 * Redis directly, or through a server's API with --server. Exit 0 cancelled (or being stopped), 1
 * it already ended (or Redis or the server unreachable), 2 usage or an unknown build.
 */
export async function cancelCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  const id = buildArgument('cancel', args);
  if ('usage' in id) return refuse(io, id.usage, 2);
  const print = (result: CancelResult, publicUrl: string): number => {
    if ('refused' in result) return refuse(io, result.refused, result.reason === 'unknown_build' ? 2 : 1);
    const url = buildUrl(publicUrl, id.build);
    if ('stopping' in result) io.out(`Asked the worker running build ${id.build} to stop it; it is still ${result.stopping.state}.\n  Watch it: ${url}\n`);
    else io.out(`Cancelled build ${id.build} (${about(result.cancelled)}): ${result.cancelled.detail}.\n  ${url}\n`);
    return 0;
  };
  return withActions(
    io,
    id.server,
    async (rt) => print(await releaseControl(rt).cancel(id.build, 'Cancelled with slipway cancel'), rt.config.publicUrl),
    async (api) => print(await api.cancel(id.build), api.root),
  );
}

/**
 * `slipway rerun <build> [--server <url>]`: builds the same commit again as a new build and says
 * where to watch it. On Redis directly, or through a server's API with --server. Exit 0 queued, 1
 * the build has not ended (or its service is gone, or Redis or the server unreachable), 2 usage
 * or an unknown build.
 */
export async function rerunCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  const id = buildArgument('rerun', args);
  if ('usage' in id) return refuse(io, id.usage, 2);
  const print = (result: RerunResult, publicUrl: string): number => {
    if ('refused' in result) return refuse(io, result.refused, result.reason === 'unknown_build' ? 2 : 1);
    const build = result.queued;
    io.out(`Queued build ${build.id}: a rerun of build ${id.build} (${about(build)}).\n  Watch it: ${buildUrl(publicUrl, build.id)}\n`);
    return 0;
  };
  return withActions(
    io,
    id.server,
    async (rt) => print(await releaseControl(rt).rerun(id.build), rt.config.publicUrl),
    async (api) => print(await api.rerun(id.build), api.root),
  );
}

function buildArgument(command: string, args: readonly string[]): { build: string; server?: string } | { usage: string } {
  const synopsis = `slipway ${command} <build-id> [--server <url>]`;
  const parsed = parseCommandLine(synopsis, args, { server: { type: 'string' } } as const, 1);
  if ('usage' in parsed) return parsed;
  const [build = ''] = parsed.positionals;
  return isBuildId(build) ? { build, server: parsed.values.server } : { usage: `a build id is a number, as on the build page, not "${build}"\nUsage: ${synopsis}` };
}

/** `hello, push to main at 1a2b3c4` */
function about(build: Build): string {
  const e = build.event;
  const what = e.kind === 'pull_request' ? `pull request #${e.pullRequest?.number}` : `push to ${e.branch}`;
  return `${build.service}, ${what} at ${e.sha.slice(0, 7)}`;
}

function refuse(io: CommandIo, message: string, code: 1 | 2): number {
  io.err(`slipway: ${message}\n`);
  return code;
}
