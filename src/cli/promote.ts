import { parseArgs } from 'node:util';
import { requestPromotion } from '../pipeline/release-control.ts';
import { type CommandIo, processIo } from './cli-runtime.ts';
import { requestedDeploy } from './requested-deploy-command.ts';

const SYNOPSIS = 'slipway promote <service> <from-environment> <to-environment> [--no-wait] [--server <url>]';

/**
 * `slipway promote <service> <from> <to> [--no-wait] [--server <url>]`: deploys to `to` exactly
 * the digest running in `from` (its release record), without rebuilding, and prints the rollout
 * until it ends. On Redis directly, or through a server's API with --server. Exit 0 deployed (or
 * queued, with --no-wait), 1 nothing to promote or not deployed, 2 a wrong command line (an
 * unknown service or environment included).
 */
export async function promoteCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { 'no-wait': { type: 'boolean' }, server: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const [service, from, to, ...extra] = parsed.positionals;
  if (!service || !from || !to) return usage(io, 'promote needs a service and two environments: where the digest runs now, and where it goes');
  if (extra.length > 0) return usage(io, `unexpected argument "${extra[0]}"`);
  const command = { verb: `Promoting from ${from}:`, service, environment: to, wait: parsed.values['no-wait'] !== true };
  return requestedDeploy(io, parsed.values.server, command, (_rt, deps) => requestPromotion(deps, { service, from, to }), (api) => api.promote(service, from, to));
}

function usage(io: CommandIo, problem: string): number {
  io.err(`slipway: ${problem}\nUsage: ${SYNOPSIS}\n`);
  return 2;
}
