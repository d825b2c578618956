/**
 * What both floors of `npm run bench:webhook` do before keeping a delivery: read the raw body,
 * check its HMAC-SHA256 signature in constant time (401 otherwise), then hand it to `keep`, whose
 * promise decides 202 or 503. Listens on 127.0.0.1:$PORT and tells the bench when it is ready.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export interface Delivery {
  readonly id: string;
  readonly event: string;
  readonly body: Buffer;
}

export function serveSignedDeliveries(keep: (delivery: Delivery) => Promise<unknown>, ready: Promise<unknown> = Promise.resolve()): void {
  const secret = process.env.SECRET ?? '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(res, 401, '{"error":"bad signature"}');
      keep({ id: String(req.headers['x-github-delivery']), event: String(req.headers['x-github-event']), body }).then(
        () => answer(res, 202, '{"queued":true}'),
        () => answer(res, 503, '{"error":"redis"}'),
      );
    });
  });
  void ready.then(() => server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready')));
}

function answer(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}
