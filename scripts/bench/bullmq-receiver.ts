/**
 * The library floor for `npm run bench:webhook`: the raw receiver with BullMQ's `Queue.add` (job id
 * = delivery id, the delivery as the job's data) in place of the XADD. What any BullMQ-based
 * receiver pays at least.
 * Usage: node --import tsx scripts/bench/bullmq-receiver.ts (env REDIS_URL, SECRET, PORT).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queue = new Queue('deliveries', { connection, prefix: 'bench' });
const secret = process.env.SECRET ?? '';

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(res, 401, '{"error":"bad signature"}');
    const delivery = String(req.headers['x-github-delivery']);
    queue
      .add('delivery', { delivery, event: String(req.headers['x-github-event']), body: body.toString('utf8') }, { jobId: delivery })
      .then(() => answer(res, 202, '{"queued":true}'), () => answer(res, 503, '{"error":"redis"}'));
  });
});

function answer(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

void queue.waitUntilReady().then(() => server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready')));
