import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { webhookRoute } from '../../src/http/webhook-route.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { pollUntil } from '../emulators/http-util.ts';
import { destroyRawRequests, rawPost, within } from '../support/raw-webhook-post.ts';
import { SECRET } from '../support/webhook-server.ts';

describe('webhook route limits (the route alone, small limits)', () => {
  const limits = { maxBodyBytes: 64 * 1024, maxInFlightBytes: 100 * 1024, readTimeoutMs: 400 };
  const received: Buffer[] = [];
  const route = webhookRoute(async (d) => {
    received.push(d.body);
    return { status: 202, body: { bytes: d.body.length }, queued: [] };
  }, () => undefined, limits);
  /** Until the route's bodies in flight hold `bytes` (bounded). */
  const heldBytes = (bytes: number) => pollUntil(route.inFlightBytes, (n) => n === bytes, 5_000, () => `${route.inFlightBytes()} bytes in flight, waiting for ${bytes}`);
  let server: http.Server;
  let url = '';
  before(async () => {
    const app = express().use(route);
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    destroyRawRequests();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const headers = (extra: Record<string, string | number> = {}) => ({ 'x-hub-signature-256': signBody(SECRET, 'x'), 'x-github-event': 'push', 'x-github-delivery': randomUUID(), ...extra });

  it('answers 503 with Retry-After once bodies in flight would pass the budget, keeps nothing, and takes bodies again once they end', async () => {
    const count = received.length;
    const first = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(60 * 1024 - 1, 0x20)]);
    await heldBytes(60 * 1024 - 1); // the first body's bytes are in before the second's
    const second = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(60 * 1024, 0x20)], true);
    const r = await within(3_000, second.answer, 'second body');
    assert.equal(r.status, 503);
    assert.ok(Number(r.headers['retry-after']) > 0, String(r.headers['retry-after']));
    assert.match(r.body.error, /nothing was kept/);
    first.request.end(Buffer.from(' '));
    assert.equal((await within(3_000, first.answer, 'first body')).status, 202);
    const third = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(60 * 1024, 0x20)], true);
    assert.equal((await within(3_000, third.answer, 'third body')).status, 202);
    assert.deepEqual(received.slice(count).map((b) => b.length), [60 * 1024, 60 * 1024]);
  });

  it('gives the budget back when a sender goes away mid-body', async () => {
    for (let i = 0; i < 3; i++) {
      const gone = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(50 * 1024, 0x20)]);
      await heldBytes(50 * 1024); // the route holds the part sent
      gone.request.destroy();
      await heldBytes(0); // and gives it back when the sender goes (its 'close'; at worst the read deadline)
    }
    const count = received.length;
    const whole = rawPost(url, headers({ 'content-length': 60 * 1024 }), [Buffer.alloc(60 * 1024, 0x20)], true);
    assert.equal((await within(3_000, whole.answer, 'body after aborted ones')).status, 202);
    assert.equal(received.length, count + 1);
  });

  it('answers a body that stalls 408 at the read deadline and never hands it on', async () => {
    const count = received.length;
    const started = Date.now();
    const slow = rawPost(url, headers({ 'content-length': 1000 }), [Buffer.alloc(10, 0x20)]);
    const r = await within(3_000, slow.answer, 'stalled body');
    slow.request.destroy();
    assert.equal(r.status, 408);
    assert.ok(Date.now() - started >= limits.readTimeoutMs - 50);
    assert.equal(received.length, count);
  });
});
