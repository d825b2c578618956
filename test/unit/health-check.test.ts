import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { seconds, waitForHealth } from '../../src/schedulers/health-check.ts';
import { freePort } from '../support/free-port.ts';

describe('waitForHealth', () => {
  let server: http.Server;
  let base: string;
  let failuresLeft = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 3_000);
      if (failuresLeft-- > 0) return void res.writeHead(503).end();
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const wait = (path: string, deadlineMs: number, exited: () => Promise<string | undefined> = async () => undefined) =>
    waitForHealth({ url: base + path, path, intervalMs: 20, deadlineMs, exited });

  it('is healthy once the path answers 2xx, after some 503s', async () => {
    failuresLeft = 3;
    const outcome = await wait('/health', 2_000);
    assert.equal(outcome.healthy, true);
  });

  it('names the last answer when the deadline passes', async () => {
    failuresLeft = 1_000;
    assert.deepEqual(await wait('/health', 200), { healthy: false, exited: false, reason: 'health check /health did not answer 2xx within 200ms: HTTP 503' });
    failuresLeft = 0;
  });

  it('says "connection refused" when nothing listens', async () => {
    const port = await freePort();
    const outcome = await waitForHealth({ url: `http://127.0.0.1:${port}/`, path: '/', intervalMs: 20, deadlineMs: 150, exited: async () => undefined });
    assert.deepEqual(outcome, { healthy: false, exited: false, reason: 'health check / did not answer 2xx within 150ms: connection refused' });
  });

  it('says so when the answer is too slow', async () => {
    const outcome = await wait('/slow', 300);
    assert.equal(outcome.healthy, false);
    assert.match(!outcome.healthy ? outcome.reason : '', /^health check \/slow did not answer 2xx within 300ms: no answer within \d+ms$/);
  });

  it('stops at once when the container has exited', async () => {
    const started = Date.now();
    const outcome = await wait('/health', 10_000, async () => 'the container exited with code 1');
    assert.deepEqual(outcome, { healthy: false, exited: true, reason: 'the container exited with code 1 before health check /health answered 2xx' });
    assert.ok(Date.now() - started < 5_000, 'stopped long before its 10 s deadline');
  });
});

describe('seconds', () => {
  for (const [ms, text] of [[40, '40ms'], [999, '999ms'], [1_000, '1s'], [1_234, '1.2s'], [30_000, '30s']] as const) {
    it(`${ms} → ${text}`, () => assert.equal(seconds(ms), text));
  }
});
