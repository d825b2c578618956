// A readiness probe as the kubelet runs it (httpGet or tcpSocket), against the stand-in port of
// the containerPort it names; the failure worded as the kubelet's `Unhealthy` event says it.
import net from 'node:net';

type Json = any;

export interface ProbeSpec {
  readonly httpGet?: { readonly path?: string; readonly port: number | string; readonly scheme?: string };
  readonly tcpSocket?: { readonly port: number | string };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
}

/** undefined when the probe passes, else why it failed. */
export async function probeFailure(probe: ProbeSpec, container: Json, ports: ReadonlyMap<string, number>): Promise<string | undefined> {
  const target = probe.httpGet ?? probe.tcpSocket;
  if (!target) return undefined; // exec probes are not emulated: counted as passing
  const named = (container.ports ?? []).find((p: Json) => p.name === target.port);
  const containerPort = String(named ? named.containerPort : target.port);
  const port = ports.get(containerPort) ?? Number(containerPort);
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.tcpSocket) return tcpFailure(port, timeoutMs);
  const url = `http://127.0.0.1:${port}${probe.httpGet!.path ?? '/'}`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { connection: 'close', 'user-agent': 'kube-probe/1.32' }, redirect: 'manual' });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 400 ? undefined : `HTTP probe failed with statuscode: ${res.status}`;
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError') return `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
    const code = e.cause?.code;
    return `Get "${url}": dial tcp 127.0.0.1:${port}: connect: ${code === 'ECONNREFUSED' ? 'connection refused' : (code ?? String(err))}`;
  }
}

function tcpFailure(port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    socket.once('connect', () => (socket.destroy(), resolve(undefined)));
    socket.once('timeout', () => (socket.destroy(), resolve(`dial tcp 127.0.0.1:${port}: i/o timeout`)));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(`dial tcp 127.0.0.1:${port}: connect: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.code}`));
  });
}
