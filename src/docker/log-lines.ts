import type { LogSink } from '../core/ports/build-log.ts';

/** A line longer than this is cut into pieces so one runaway line cannot hold memory. */
const MAX_LINE = 16 * 1024;

/** Text in arbitrary pieces in, whole lines out. */
export interface LineWriter {
  write(text: string): void;
  /** writes the unfinished last line, if any */
  end(): void;
}

/**
 * Cuts text that arrives in arbitrary pieces into lines for a LogSink: a line is written once
 * its newline arrives (`\r\n` endings lose the `\r`), and `end` writes what is left.
 */
export function createLineWriter(log: LogSink): LineWriter {
  let pending = '';
  const emit = (line: string) => log.line(line.endsWith('\r') ? line.slice(0, -1) : line);
  return {
    write(text) {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(emit);
      while (pending.length > MAX_LINE) {
        emit(pending.slice(0, MAX_LINE));
        pending = pending.slice(MAX_LINE);
      }
    },
    end() {
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}
