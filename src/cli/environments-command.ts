import { type CommandIo, processIo } from './cli-runtime.ts';
import { parseCommandLine, refuse } from './command-line.ts';
import { environmentsTable } from './environments-table.ts';
import { styleFor, type TerminalStyle } from './terminal-style.ts';
import { withReads } from './with-reads.ts';

const SYNOPSIS = 'slipway environments [--json] [--server <url>]';
const OPTIONS = { json: { type: 'boolean' }, server: { type: 'string' } } as const;

/**
 * `slipway environments`: every service × environment, what runs there and what waits there for
 * approval, as a table (or GET /api/environments' JSON with --json). Exit 0, 1 Redis or the
 * server unreachable, 2 a wrong command line.
 */
export async function environmentsCommand(args: readonly string[], io: CommandIo = processIo, style: TerminalStyle = styleFor(process.stdout)): Promise<number> {
  const parsed = parseCommandLine(SYNOPSIS, args, OPTIONS, 0);
  if ('usage' in parsed) return refuse(io, parsed.usage);
  return withReads(io, parsed.values.server, async (reads) => {
    const overview = await reads.environments();
    if (parsed.values.json) io.out(`${JSON.stringify(overview, null, 2)}\n`);
    else if (overview.environments.length === 0) io.out('No environments: no pipeline deploys anywhere and nothing was released yet.\n');
    else io.out(environmentsTable(overview.environments, style));
    return 0;
  });
}
