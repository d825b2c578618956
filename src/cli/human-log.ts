import type { DestinationStream } from 'pino';

/**
 * Where a command's operator log goes: each entry as one plain line on stderr
 * (`slipway: warning: GITHUB_TOKEN is not set: …`), never pino JSON, so a person reading a
 * command's output never sees log records and stdout stays the command's answer.
 */
export function humanLogDestination(write: (text: string) => void): DestinationStream {
  return {
    write(line: string) {
      let entry: { level?: number; msg?: unknown; err?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return void write(`slipway: ${line.trim()}\n`);
      }
      const level = (entry.level ?? 40) >= 50 ? 'error' : 'warning';
      const err = entry.err as { message?: unknown } | string | undefined;
      const cause = typeof err === 'string' ? err : typeof err?.message === 'string' ? err.message : undefined;
      write(`slipway: ${level}: ${String(entry.msg ?? '')}${cause ? `: ${cause}` : ''}\n`);
    },
  };
}
