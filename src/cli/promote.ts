import { parseArgs } from 'node:util';
import { requestPromotion } from '../pipeline/release-control.ts';
import { type CommandIo, processIo, withRuntime } from './cli-runtime.ts';
import { runRequested } from './requested-deploy-command.ts';

const SYNOPSIS = 'slipway promote <service> <from-environment> <to-environment> [--no-wait]';

/**
 * `slipway promote <service> <from> <to> [--no-wait]`: deploys to `to` exactly the digest running
 * in `from` (its release record), without rebuilding, and prints the rollout until it ends.
 * Exit 0 deployed (or queued, with --no-wait), 1 nothing to promote or not deployed, 2 a wrong
 * command line (an unknown service or environment included).
 */
export async function promoteCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { 'no-wait': { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const [service, from, to, ...extra] = parsed.positionals;
  if (!service || !from || !to) return usage(io, 'promote needs a service and two environments: where the digest runs now, and where it goes');
  if (extra.length > 0) return usage(io, `unexpected argument "${extra[0]}"`);
  const wait = parsed.values['no-wait'] !== true;
  return withRuntime(io, (rt) =>
    runRequested(rt, io, { verb: `Promoting from ${from}:`, service, environment: to, wait }, (deps) => requestPromotion(deps, { service, from, to })),
  );
}

function usage(io: CommandIo, problem: string): number {
  io.err(`slipway: ${problem}\nUsage: ${SYNOPSIS}\n`);
  return 2;
}
