import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createContainerOutput } from '../../src/docker/container-output.ts';

/** One frame of Docker's multiplexed stream: type 1 stdout, 2 stderr. */
function frame(type: 0 | 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function demux(chunks: Buffer[]): string[] {
  const lines: string[] = [];
  const output = createContainerOutput({ line: (text) => lines.push(text) });
  for (const chunk of chunks) output.write(chunk);
  output.end();
  return lines;
}

/** Cuts one buffer into pieces of `size` bytes. */
function pieces(all: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size));
  return out;
}

const twoStreams = Buffer.concat([frame(1, 'line one\nline two\n'), frame(2, 'warning: x\n'), frame(1, 'done\n')]);
const euro = Buffer.from('price: 5 €\n');

const cases: { name: string; chunks: Buffer[]; lines: string[] }[] = [
  { name: 'whole frames, one per chunk', chunks: [frame(1, 'hello\n'), frame(2, 'oops\n')], lines: ['hello', 'oops'] },
  { name: 'several frames in one chunk', chunks: [twoStreams], lines: ['line one', 'line two', 'warning: x', 'done'] },
  { name: 'frames cut every 3 bytes (headers split too)', chunks: pieces(twoStreams, 3), lines: ['line one', 'line two', 'warning: x', 'done'] },
  { name: 'frames cut every byte', chunks: pieces(twoStreams, 1), lines: ['line one', 'line two', 'warning: x', 'done'] },
  { name: 'a line spread over frames', chunks: [frame(1, 'par'), frame(1, 'tial'), frame(1, ' line\n')], lines: ['partial line'] },
  { name: 'stdout and stderr lines kept apart when interleaved mid-line', chunks: [frame(1, 'out-'), frame(2, 'err\n'), frame(1, 'put\n')], lines: ['err', 'out-put'] },
  { name: 'an unfinished last line, flushed at the end', chunks: [frame(1, 'no newline')], lines: ['no newline'] },
  { name: 'CRLF line endings', chunks: [frame(1, 'a\r\nb\r\n')], lines: ['a', 'b'] },
  { name: 'a multi-byte character split between frames', chunks: [frame(1, euro.subarray(0, 10)), frame(1, euro.subarray(10))], lines: ['price: 5 €'] },
  { name: 'an empty frame', chunks: [frame(1, ''), frame(1, 'x\n')], lines: ['x'] },
  { name: 'type 0 (stdin echo) as stdout', chunks: [frame(0, 'echo\n')], lines: ['echo'] },
  { name: 'a frame whose payload never fully arrives', chunks: [frame(1, 'ok\n'), frame(1, 'cut off\n').subarray(0, 10)], lines: ['ok'] },
];

describe('createContainerOutput', () => {
  for (const c of cases) {
    it(`demultiplexes ${c.name}`, () => {
      assert.deepEqual(demux(c.chunks), c.lines);
    });
  }

  it('writes lines as soon as they are complete, before the stream ends', () => {
    const lines: string[] = [];
    const output = createContainerOutput({ line: (text) => lines.push(text) });
    output.write(frame(1, 'first\nsec'));
    assert.deepEqual(lines, ['first']);
    output.write(frame(1, 'ond\n'));
    assert.deepEqual(lines, ['first', 'second']);
  });

  it('ends once: a second end writes nothing again, and bytes after the end are dropped', () => {
    const lines: string[] = [];
    const output = createContainerOutput({ line: (text) => lines.push(text) });
    output.write(frame(1, 'unfinished'));
    output.end();
    output.end();
    output.write(frame(1, 'late\n'));
    assert.deepEqual(lines, ['unfinished']);
  });

  it('cuts a runaway line without a newline into bounded pieces', () => {
    const lines = demux([frame(1, 'x'.repeat(40 * 1024))]);
    assert.ok(lines.length >= 2);
    assert.equal(lines.join(''), 'x'.repeat(40 * 1024));
  });
});
