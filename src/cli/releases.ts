import type { ReleaseRecord } from '../core/ports/build-store.ts';
import { describeCause } from '../core/release-cause.ts';
import { type CommandIo, processIo } from './cli-runtime.ts';
import { takeFlag } from './take-flag.ts';
import { parseTargetArguments } from './target-arguments.ts';
import { isoTime } from './time-text.ts';
import { withReads } from './with-reads.ts';

const DEFAULT_LIMIT = 10;

/**
 * `slipway releases <service> <environment> [--limit <n>] [--json] [--server <url>]`: the releases
 * recorded there, newest (the current one) first: build id, short sha, image digest, when, and how
 * it came (push, approval, deploy, promotion from an environment, rollback); `--json` prints what
 * `GET …/releases` answers. Exit 0 (also when there are none yet), 1 Redis or the server
 * unreachable, 2 a wrong command line.
 */
export async function releasesCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  const { present: json, rest } = takeFlag(args, '--json');
  const parsed = parseTargetArguments('releases', rest, { limit: 'n', server: 'url' });
  if ('usage' in parsed) return refuse(io, `${parsed.usage} [--json]`);
  const { service, environment, options } = parsed;
  const limit = Number(options.limit ?? DEFAULT_LIMIT);
  if (!Number.isInteger(limit) || limit < 1) return refuse(io, `--limit takes a positive number, not "${options.limit}"`);
  return withReads(io, options.server, async (reads) => {
    const found = await reads.releases(service, environment, limit);
    if ('refused' in found) return refuse(io, found.refused);
    const { releases } = found;
    if (json) io.out(`${JSON.stringify({ service, environment, releases })}\n`);
    else io.out(releases.length === 0 ? `No releases of ${service} in ${environment} recorded yet.\n` : releaseTable(service, environment, releases));
    return 0;
  });
}

/** The releases as aligned text columns, newest first. Pure. */
export function releaseTable(service: string, environment: string, releases: readonly ReleaseRecord[]): string {
  const rows = releases.map((r, i) => [
    r.buildId,
    r.sha.slice(0, 7),
    r.image.split('@')[1] ?? r.image,
    isoTime(r.deployedAt),
    describeCause(r),
    i === 0 ? 'current' : '',
  ]);
  const table = [['BUILD', 'COMMIT', 'IMAGE DIGEST', 'DEPLOYED AT', 'CAUSE', ''], ...rows];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
  return `Releases of ${service} in ${environment}, newest first:\n${lines.join('\n')}\n`;
}

function refuse(io: CommandIo, message: string): number {
  io.err(`slipway: ${message}\n`);
  return 2;
}
