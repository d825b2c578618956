/** Webhook requests sent byte by byte (node:http), for the tests of bodies that stall, grow or go away. */
import http from 'node:http';

const rawRequests = new Set<http.ClientRequest>();
/** Destroys what a failed test left open, so closing the server does not wait on it. */
export const destroyRawRequests = () => rawRequests.forEach((r) => r.destroy());

/** Sends headers and `parts` of a body, leaving the request open unless `end`; resolves on the answer. */
export function rawPost(url: string, headers: Record<string, string | number>, parts: Buffer[] = [], end = false) {
  const request = http.request(`${url}/webhooks/github`, { method: 'POST', headers, agent: false });
  rawRequests.add(request);
  request.on('error', () => undefined); // the server may close the connection after answering
  const answer = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      res.on('error', reject);
    });
  });
  request.flushHeaders();
  for (const part of parts) request.write(part);
  if (end) request.end();
  return { answer, request };
}

export function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
