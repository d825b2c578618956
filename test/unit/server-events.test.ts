import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { followBuildEvents } from '../../src/cli/server-events.ts';

/** A server on 127.0.0.1 for the suite it is called in: `root()` is its URL once the suite's tests run. */
function servedFor(listener: RequestListener): { root(): string } {
  const server = createServer(listener);
  let root = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { root: () => root };
}

/** `slipway logs -f --server` reads the build's Server-Sent Events, as the server sends them (build-events-routes.ts). */
describe('followBuildEvents: the event stream of a build', () => {
  const asked: { url: string; auth: string | undefined; accept: string | undefined }[] = [];
  const server = servedFor((req: IncomingMessage, res) => {
    asked.push({ url: req.url ?? '', auth: req.headers.authorization, accept: req.headers.accept });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('retry: 2000\n\n: keep-alive\n\n');
    if (asked.length === 1) {
      res.write('event: build\ndata: {"id":"7","state":"running"}\n\n');
      // the connection drops once that was sent, before the build ends
      res.write('id: 2\nevent: log\ndata: {"lines":[{"n":1,"text":"[clone] Cloned"},{"n":2,"text":"[build] Built"}],"next":2}\n\n', () => res.destroy());
      return;
    }
    res.write('id: 3\nevent: log\ndata: {"lines":[{"n":3,"text":"[push] Pushed"}],"next":3}\n\n');
    res.write('event: build\ndata: {"id":"7","state":"passed"}\n\nevent: end\ndata: {"state":"passed"}\n\n');
  });

  it('hands over every line and record until `end`, reopening a dropped stream from the last line received', async () => {
    const lines: string[] = [];
    const states: string[] = [];
    await followBuildEvents(server.root(), 'the-token', '7', 0, { lines: (l) => lines.push(...l), build: (b) => states.push(b.state) });
    assert.deepEqual(lines, ['[clone] Cloned', '[build] Built', '[push] Pushed']);
    assert.deepEqual(states, ['running', 'passed']);
    assert.deepEqual(asked.map((a) => a.url), ['/api/builds/7/events?from=0', '/api/builds/7/events?from=2']);
    assert.ok(asked.every((a) => a.auth === 'Bearer the-token' && a.accept === 'text/event-stream'));
  });
});

/** The server ends every stream after 10 minutes (event-stream.ts): a long build is followed across many streams. */
describe('followBuildEvents: a build followed longer than a few streams last', () => {
  const TURNS = 8;
  let connections = 0;
  const server = servedFor((req: IncomingMessage, res) => {
    connections += 1;
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('from')) + 1;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('retry: 2000\n\nevent: build\ndata: {"id":"9","state":"running"}\n\n');
    // one new line per stream, then the stream's lifetime is over (a clean end, no `end` event)
    if (n <= TURNS) return void res.end(`id: ${n}\nevent: log\ndata: {"lines":[{"n":${n},"text":"line ${n}"}],"next":${n}}\n\n`);
    res.end('event: build\ndata: {"id":"9","state":"passed"}\n\nevent: end\ndata: {"state":"passed"}\n\n');
  });

  it('keeps reopening streams that delivered events, however many it takes', async () => {
    const lines: string[] = [];
    await followBuildEvents(server.root(), undefined, '9', 0, { lines: (l) => lines.push(...l), build: () => undefined });
    assert.deepEqual(lines, Array.from({ length: TURNS }, (_, i) => `line ${i + 1}`));
    assert.equal(connections, TURNS + 1);
  });
});

describe('followBuildEvents: a stream that never delivers', () => {
  let connections = 0;
  const server = servedFor((_req, res) => {
    connections += 1;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(': nothing\n\n');
  });

  it('gives up after six streams in a row without an event, saying so', async () => {
    await assert.rejects(followBuildEvents(server.root(), undefined, '9', 0, { lines: () => undefined, build: () => undefined }), /kept dropping/);
    assert.equal(connections, 6);
  });
});
