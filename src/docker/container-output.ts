import { StringDecoder } from 'node:string_decoder';
import type { LogSink } from '../core/ports/build-log.ts';
import { createLineWriter } from './log-lines.ts';

const HEADER_BYTES = 8;
const STDERR = 2;

/** Where a container's output goes: `write` raw bytes as read, `end` once the stream ends. */
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
 * Both streams go to `log` unless stderr is given a sink of its own.
 */
export function createContainerOutput(log: LogSink, errorLog: LogSink = log): ContainerOutput {
  let buffer = Buffer.alloc(0);
  const stdout = decodedLines(log);
  const stderr = decodedLines(errorLog);
  return {
    write(chunk) {
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
