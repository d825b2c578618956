import { StringDecoder } from 'node:string_decoder';

/** One object of Docker's newline-delimited JSON progress stream (build, push, pull). */
export interface JsonFrame {
  readonly stream?: string;
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly aux?: Record<string, unknown>;
  readonly error?: string;
  readonly errorDetail?: { readonly code?: number; readonly message?: string };
}

/** An `{"error": …}` frame: Docker reports failures inside a 200 stream this way. */
export class StreamErrorFrame extends Error {
  readonly frame: JsonFrame;

  constructor(frame: JsonFrame) {
    super(frame.errorDetail?.message || frame.error || 'the Docker engine reported an error');
    this.name = 'StreamErrorFrame';
    this.frame = frame;
  }
}

/**
 * Reads a progress stream to its end, calling `onFrame` for each frame in order, and resolves
 * with all frames. Frames may be split across chunks or share one; blank lines are skipped.
 * Rejects with StreamErrorFrame at the first error frame (and stops reading), with a
 * SyntaxError for a line that is not JSON, or with the stream's own error.
 */
export async function readJsonStream(
  stream: AsyncIterable<Buffer | string>,
  onFrame: (frame: JsonFrame) => void = () => {},
): Promise<JsonFrame[]> {
  const frames: JsonFrame[] = [];
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const take = (line: string) => {
    if (line.trim() === '') return;
    const frame = parseFrame(line);
    if (frame.error !== undefined || frame.errorDetail !== undefined) throw new StreamErrorFrame(frame);
    frames.push(frame);
    onFrame(frame);
  };
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(take);
  }
  take(pending + decoder.end());
  return frames;
}

function parseFrame(line: string): JsonFrame {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as JsonFrame;
  } catch {
    // fall through to the error below, which names the line
  }
  throw new SyntaxError(`not a JSON object in Docker's progress stream: ${line.slice(0, 200)}`);
}
