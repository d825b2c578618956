import { freePort, listenable } from '../../scripts/local-services/ports.ts';

/** A TCP port on 127.0.0.1 that nothing listens on right now (below the kernel's ephemeral range). */
export { freePort };

/** The first of `count` consecutive TCP ports on 127.0.0.1 that nothing listens on right now (a preview range). */
export async function freePortRange(count: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const first = await freePort();
    if (first + count - 1 > 65535) continue;
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => listenable(first + i + 1)));
    if (rest.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
