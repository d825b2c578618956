import { setTimeout as sleep } from 'node:timers/promises';
import { isBuildId } from '../core/build.ts';
import { doingNow, outcomeCode, outcomeLine } from './build-outcome.ts';
import { type CommandIo, processIo } from './cli-runtime.ts';
import { parseCommandLine, refuse } from './command-line.ts';
import { progressLine, type ProgressLine } from './progress-line.ts';
import type { SlipwayReads } from './slipway-reads.ts';
import { styleFor, terminalSafe, type TerminalStyle } from './terminal-style.ts';
import { withReads } from './with-reads.ts';

const SYNOPSIS = 'slipway logs <build-id> [-f | --follow] [--server <url>]';
const OPTIONS = { follow: { type: 'boolean', short: 'f' }, server: { type: 'string' } } as const;
const POLL_MS = 500;

/**
 * `slipway logs <build> [-f]`: the build's log; with -f, then its new lines as they come until the
 * build and its deploys end, and an exit code from the outcome (build-outcome.ts): 0 success, 1
 * failed. Exit 2 a wrong command line or an unknown build, 1 Redis or the server unreachable.
 */
export async function logsCommand(args: readonly string[], io: CommandIo = processIo, style: TerminalStyle = styleFor(process.stdout), progress: ProgressLine = progressLine(process.stderr)): Promise<number> {
  const parsed = parseCommandLine(SYNOPSIS, args, OPTIONS, 1);
  if ('usage' in parsed) return refuse(io, parsed.usage);
  const [id = ''] = parsed.positionals;
  if (!isBuildId(id)) return refuse(io, `a build id is a number, as on the build page, not "${id}"\nUsage: ${SYNOPSIS}`);
  return withReads(io, parsed.values.server, async (reads) => {
    if (!(await reads.build(id))) return refuse(io, `no build ${id}`);
    const print = (lines: readonly string[]) => {
      if (lines.length === 0) return;
      progress.clear();
      io.out(lines.map((line) => `${terminalSafe(line, style.colour)}\n`).join(''));
    };
    if (!parsed.values.follow) {
      print((await reads.log(id, 0)).lines);
      return 0;
    }
    try {
      return await follow(reads, id, print, progress, io);
    } finally {
      progress.clear();
    }
  });
}

/** Prints the log until the build has settled, then its outcome on stderr; the exit code from it. */
async function follow(reads: SlipwayReads, id: string, print: (lines: readonly string[]) => void, progress: ProgressLine, io: CommandIo): Promise<number> {
  let next = 0;
  if (reads.follow) {
    // --server: the build's event stream pushes its lines and records; it ends once the build settled
    await reads.follow(id, 0, { lines: print, build: (b) => progress.show(doingNow(b, Date.now())) });
    return outcome(reads, id, progress, io);
  }
  for (;;) {
    const chunk = await reads.log(id, next);
    print(chunk.lines);
    next = chunk.next;
    if (chunk.finished) break;
    const build = await reads.build(id);
    if (build) progress.show(doingNow(build, Date.now()));
    await sleep(POLL_MS);
  }
  print((await reads.log(id, next)).lines); // lines written as it settled
  return outcome(reads, id, progress, io);
}

/** The settled build's outcome line on stderr, and the exit code from it. */
async function outcome(reads: SlipwayReads, id: string, progress: ProgressLine, io: CommandIo): Promise<number> {
  const build = await reads.build(id);
  if (!build) return refuse(io, `build ${id} was deleted while it was followed`, 1);
  progress.clear();
  io.err(`${outcomeLine(build)}\n`);
  return outcomeCode(build);
}
