import type { LogSink } from '../../src/core/ports/build-log.ts';

/** A LogSink that keeps its lines, for assertions. */
export interface MemoryLog extends LogSink {
  readonly lines: string[];
  text(): string;
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  return { lines, line: (text) => void lines.push(text), text: () => lines.join('\n') };
}
