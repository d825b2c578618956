import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { readJsonStream, StreamErrorFrame, type JsonFrame } from '../../src/docker/json-stream.ts';

/** Feeds `chunks` into a PassThrough one tick apart and reads it. */
async function read(chunks: (string | Buffer)[]): Promise<{ frames: JsonFrame[]; seen: JsonFrame[] }> {
  const stream = new PassThrough();
  const seen: JsonFrame[] = [];
  const reading = readJsonStream(stream, (f) => seen.push(f));
  reading.catch(() => {}); // it may reject before every chunk is written; the caller sees it below
  for (const chunk of chunks) {
    if (stream.destroyed) break;
    stream.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  stream.end();
  return { frames: await reading, seen };
}

const ERROR_FRAME = '{"errorDetail":{"code":1,"message":"The command \'/bin/sh -c false\' returned a non-zero code: 1"},"error":"The command \'/bin/sh -c false\' returned a non-zero code: 1"}';
const euro = Buffer.from('{"stream":"€ sign"}\n');

const cases: { name: string; chunks: (string | Buffer)[]; frames: JsonFrame[] }[] = [
  { name: 'one frame per chunk', chunks: ['{"stream":"Step 1/2 : FROM x\\n"}\n', '{"aux":{"ID":"sha256:abc"}}\n'], frames: [{ stream: 'Step 1/2 : FROM x\n' }, { aux: { ID: 'sha256:abc' } }] },
  { name: 'a frame split across chunks', chunks: ['{"stat', 'us":"Pushed","i', 'd":"3f1a"}\n'], frames: [{ status: 'Pushed', id: '3f1a' }] },
  { name: 'several frames in one chunk', chunks: ['{"stream":"a"}\n{"stream":"b"}\n{"stream":"c"}\n'], frames: [{ stream: 'a' }, { stream: 'b' }, { stream: 'c' }] },
  { name: 'blank lines and CRLF', chunks: ['\n{"stream":"a"}\r\n\r\n  \n{"stream":"b"}\n'], frames: [{ stream: 'a' }, { stream: 'b' }] },
  { name: 'last frame without a newline', chunks: ['{"stream":"a"}\n{"aux":{"Digest":"sha256:1"}}'], frames: [{ stream: 'a' }, { aux: { Digest: 'sha256:1' } }] },
  { name: 'a multi-byte character split between chunks', chunks: [euro.subarray(0, 13), euro.subarray(13)], frames: [{ stream: '€ sign' }] },
  { name: 'an empty stream', chunks: [], frames: [] },
];

describe('readJsonStream', () => {
  for (const c of cases) {
    it(`reads ${c.name}`, async () => {
      const { frames, seen } = await read(c.chunks);
      assert.deepEqual(frames, c.frames);
      assert.deepEqual(seen, c.frames, 'onFrame sees every frame in order');
    });
  }

  it('rejects at an error frame inside the stream with Docker\'s message, and reads no further', async () => {
    const stream = new PassThrough();
    const seen: JsonFrame[] = [];
    const reading = readJsonStream(stream, (f) => seen.push(f));
    stream.write('{"stream":"Step 2/2 : RUN false\\n"}\n' + ERROR_FRAME.slice(0, 40));
    stream.end(ERROR_FRAME.slice(40) + '\n{"stream":"never seen"}\n');
    await assert.rejects(reading, (err: unknown) => {
      assert.ok(err instanceof StreamErrorFrame);
      assert.equal(err.message, "The command '/bin/sh -c false' returned a non-zero code: 1");
      assert.equal(err.frame.errorDetail?.code, 1);
      return true;
    });
    assert.deepEqual(seen, [{ stream: 'Step 2/2 : RUN false\n' }]);
  });

  it('rejects on a frame with only "error" (no errorDetail)', async () => {
    await assert.rejects(read(['{"error":"unauthorized: authentication required"}\n']), /^StreamErrorFrame: unauthorized: authentication required$/);
  });

  it('rejects a line that is not a JSON object', async () => {
    await assert.rejects(read(['{"stream":"a"}\n', 'garbage\n']), /not a JSON object.*garbage/);
  });

  it('rejects when the stream itself fails', async () => {
    const stream = new PassThrough();
    const reading = readJsonStream(stream);
    stream.write('{"stream":"a"}\n');
    stream.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await assert.rejects(reading, /socket hang up/);
  });
});
