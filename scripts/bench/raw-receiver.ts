/**
 * The raw floor for `npm run bench:webhook`: node:http, HMAC-SHA256 over the raw body compared in
 * constant time, one XADD of the delivery to a Redis stream, 202. No dedupe, no records, no
 * statuses: what the least a receiver that keeps a delivery can do costs.
 * Usage: node --import tsx scripts/bench/raw-receiver.ts (env REDIS_URL, SECRET, PORT).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const secret = process.env.SECRET ?? '';

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(res, 401, '{"error":"bad signature"}');
    redis
      .xadd('bench:deliveries', '*', 'delivery', String(req.headers['x-github-delivery']), 'event', String(req.headers['x-github-event']), 'body', body)
      .then(() => answer(res, 202, '{"queued":true}'), () => answer(res, 503, '{"error":"redis"}'));
  });
});

function answer(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
