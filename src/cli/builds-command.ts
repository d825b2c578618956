import { isBuildId, type BuildState } from '../core/build.ts';
import { BUILD_STATES } from '../pipeline/builds-page.ts';
import { buildsTable } from './builds-table.ts';
import { type CommandIo, processIo } from './cli-runtime.ts';
import { limitOption, parseCommandLine, refuse } from './command-line.ts';
import { styleFor, type TerminalStyle } from './terminal-style.ts';
import { withReads } from './with-reads.ts';

const SYNOPSIS = 'slipway builds [--service <s>] [--branch <b>] [--state <s>] [--author <a>] [--limit <n>] [--before <id>] [--json] [--server <url>]';
const OPTIONS = {
  service: { type: 'string' },
  branch: { type: 'string' },
  state: { type: 'string' },
  author: { type: 'string' },
  limit: { type: 'string' },
  before: { type: 'string' },
  json: { type: 'boolean' },
  server: { type: 'string' },
} as const;

/**
 * `slipway builds`: the newest builds, filtered, as a table (or `{builds, next}` with --json).
 * Exit 0 (also when none match), 1 Redis or the server unreachable, 2 a wrong command line.
 */
export async function buildsCommand(args: readonly string[], io: CommandIo = processIo, style: TerminalStyle = styleFor(process.stdout)): Promise<number> {
  const parsed = parseCommandLine(SYNOPSIS, args, OPTIONS, 0);
  if ('usage' in parsed) return refuse(io, parsed.usage);
  const { service, branch, state, author, before, json, server } = parsed.values;
  const limit = limitOption(parsed.values.limit, 20, 200);
  if (limit === undefined) return refuse(io, `--limit takes a number from 1 to 200, not "${parsed.values.limit}"`);
  if (state !== undefined && !BUILD_STATES.includes(state as BuildState)) return refuse(io, `--state is one of ${BUILD_STATES.join(', ')}, not "${state}"`);
  if (before !== undefined && !isBuildId(before)) return refuse(io, `--before takes a build id, not "${before}"`);
  return withReads(io, server, async (reads) => {
    const page = await reads.builds({ service, branch, state: state as BuildState | undefined, author, before, limit });
    if (json) io.out(`${JSON.stringify(page, null, 2)}\n`);
    else if (page.builds.length === 0) io.out('No builds match.\n');
    else io.out(buildsTable(page.builds, style));
    if (!json && page.next && style.tty) io.out(`More: add --before ${page.next}\n`);
    return 0;
  });
}
