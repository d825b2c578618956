import { StringDecoder } from 'node:string_decoder';
import type { LogSink } from '../core/ports/build-log.ts';
import { createLineWriter } from './log-lines.ts';

const HEADER_BYTES = 8;
const STDERR = 2;

/**
 * How to attach to a container created but not yet started so that each line arrives exactly
 * once: the live streams only. The engine subscribes an attach to the streams before it answers
 * the request, so everything written after the start is caught. With `logs: true` as well it
 * replays the log file first, and a line written between the subscription and the end of the
 * replay comes twice: from the file and again from the stream (a slow engine and a fast command
 * are enough).
 */
export const LIVE_OUTPUT = { stream: true, stdout: true, stderr: true, logs: false } as const;

/** Where a container's output goes: `write` raw bytes as read, `end` once the stream ends (again: no-op). */
export interface ContainerOutput {
  write(chunk: Uint8Array): void;
  end(): void;
}

/**
 * Turns Docker's multiplexed container stream (containers created without a TTY) into log lines.
 * Each frame is an 8-byte header `[type, 0, 0, 0, size (uint32 BE)]` then `size` bytes; type 0
 * (stdin echo) and 1 are stdout, 2 is stderr. Frames and lines may be split or coalesced across
 * reads: bytes are buffered until a frame is complete, text until a newline arrives (per
 * stream, so stdout and stderr never mix within a line). `end` flushes unfinished lines.
 * Both streams go to `log` unless stderr is given a sink of its own. Lines keep their order
 * within a stream; between stdout and stderr there is no order to keep: they are two pipes the
 * engine copies separately, so a later stderr line often arrives before an earlier stdout one.
 */
export function createContainerOutput(log: LogSink, errorLog: LogSink = log): ContainerOutput {
  let buffer = Buffer.alloc(0);
  let ended = false;
  const stdout = decodedLines(log);
  const stderr = decodedLines(errorLog);
  return {
    write(chunk) {
      if (ended) return;
      buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
      while (buffer.length >= HEADER_BYTES) {
        const size = buffer.readUInt32BE(4);
        if (buffer.length < HEADER_BYTES + size) break;
        const payload = buffer.subarray(HEADER_BYTES, HEADER_BYTES + size);
        (buffer[0] === STDERR ? stderr : stdout).write(payload);
        buffer = buffer.subarray(HEADER_BYTES + size);
      }
    },
    end() {
      if (ended) return;
      ended = true;
      stdout.end();
      stderr.end();
    },
  };
}

function decodedLines(log: LogSink): ContainerOutput {
  const decoder = new StringDecoder('utf8');
  const lines = createLineWriter(log);
  return {
    write: (bytes) => lines.write(decoder.write(bytes)),
    end: () => {
      lines.write(decoder.end());
      lines.end();
    },
  };
}
