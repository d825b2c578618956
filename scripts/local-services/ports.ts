/** Free TCP ports on 127.0.0.1, and starting a service on one. */
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Ports handed out by this process, never handed out twice. */
const handedOut = new Set<number>();
/** Where ports are picked when the kernel's ephemeral range leaves room below it. */
const LOWEST = 10_000;

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, for a server that starts in a moment,
 * often in another process (a container, a registry, a Slipway under test). It is picked below
 * the kernel's ephemeral range (`ip_local_port_range`, 32768–60999 by default): a port from that
 * range can be taken meanwhile by any outgoing connection's local end, and the server's bind then
 * fails with `Address already in use` (seen in the load test, 200 pushes' worth of connections).
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  for (let tries = 0; low - LOWEST >= 1000 && tries < 100; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (low - LOWEST));
    if (handedOut.has(port) || !(await listenable(port))) continue;
    handedOut.add(port);
    return port;
  }
  return kernelPort();
}

/** Whether a server could listen on 127.0.0.1:`port` right now. */
export function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The kernel's range for ephemeral ports; its default where it cannot be read. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux, or no /proc: the default
  }
  return [32768, 60999];
}

/** A port the kernel picks (its ephemeral range): the fallback when none below it is free. */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Start with a free port (retrying on a lost race for it) or with the fixed one given. */
export async function withPort<T>(fixed: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  if (fixed !== undefined) return start(fixed);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (e) {
      if (attempt < 3 && /address already in use/i.test(String((e as Error).message))) continue;
      throw e;
    }
  }
}
