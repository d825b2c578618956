import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './until.ts';

/** A registry that stumbles: every request gets 503 until `recover()`, then everything passes through. */
export interface StumblingRegistry {
  /** `127.0.0.1:<port>`, to name images by instead of the real registry's host */
  readonly host: string;
  /** resolves once `count` requests were refused; rejects after `timeoutMs` */
  refused(count: number, timeoutMs: number): Promise<void>;
  recover(): void;
  close(): Promise<void>;
}

/**
 * A reverse proxy on 127.0.0.1 in front of the registry at `target` (`127.0.0.1:<port>`) that
 * answers 503 with a registry error body until it recovers, as a registry behind a restarting
 * load balancer does: pulls through it fail for a while, then work.
 */
export async function startStumblingRegistry(target: string): Promise<StumblingRegistry> {
  const [hostname, port] = target.split(':') as [string, string];
  let down = true;
  let refusals = 0;
  const server = http.createServer((req, res) => {
    if (down) {
      refusals++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}\n');
      return;
    }
    const upstream = http.request({ hostname, port, method: req.method, path: req.url, headers: { ...req.headers, host: target } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: (count, timeoutMs) => until(`the registry to refuse ${count} requests`, () => refusals >= count, timeoutMs),
    recover: () => {
      down = false;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
