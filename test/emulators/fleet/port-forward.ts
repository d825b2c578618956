// A TCP forwarder: the emulated machine's `primaryIP:port` → the container's private port on
// 127.0.0.1 (every emulated machine shares this host's network). Test-only code.
import net from 'node:net';

export interface Forwarder {
  close(): Promise<void>;
}

/** Listens on `host:port` and pipes each connection to `127.0.0.1:targetPort`. Rejects when it cannot listen. */
export function forward(host: string, port: number, targetPort: number): Promise<Forwarder> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    // a refused upstream resets the client, as a closed port would (close enough for a health check)
    upstream.on('error', () => client.resetAndDestroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        close: () => new Promise<void>((done) => {
          for (const s of sockets) s.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}
