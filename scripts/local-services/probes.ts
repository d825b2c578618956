/** Is a service answering? PING for Redis, /_ping and raw requests for the Engine API, /v2/ for registries. */
import http from 'node:http';
import net from 'node:net';
import type { Readable } from 'node:stream';

/** PING a Redis server (AUTH first when the URL carries a password). */
export function redisPing(redisUrl: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(redisUrl);
    } catch {
      return resolve(false);
    }
    const cmd = (...parts: string[]) =>
      `*${parts.length}\r\n` + parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('');
    let out = '';
    const expected = url.password ? 2 : 1; // replies to wait for: AUTH (when sent) and PING
    const sock = net.connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.on('connect', () => {
      let payload = '';
      const pw = decodeURIComponent(url.password);
      if (pw) payload += url.username ? cmd('AUTH', decodeURIComponent(url.username), pw) : cmd('AUTH', pw);
      sock.write(payload + cmd('PING'));
    });
    sock.on('data', (d) => {
      out += d.toString('latin1');
      const replies = out.split('\r\n').filter((l) => l.startsWith('+') || l.startsWith('-'));
      if (replies.includes('+PONG')) done(true);
      else if (replies.length >= expected) done(false);
    });
  });
}

/** Status and whole body of one Engine API answer. */
export interface DockerResponse {
  status: number;
  body: Buffer;
}

/** One request to the Engine API over its unix socket. */
export function dockerRequest(
  socketPath: string,
  method: string,
  apiPath: string,
  opts: { body?: Buffer | Readable; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<DockerResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path: apiPath, headers: { Host: 'docker', ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`docker ${method} ${apiPath}: timed out`)));
    req.on('error', reject);
    const body = opts.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (e) => req.destroy(e));
      body.pipe(req);
    }
  });
}

/** True when the engine at `socketPath` answers GET /_ping with OK. */
export async function dockerPing(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const r = await dockerRequest(socketPath, 'GET', '/_ping', { timeoutMs });
    return r.status === 200 && r.body.toString() === 'OK';
  } catch {
    return false;
  }
}

/** HTTP status of GET http://<host>/v2/ (0 when nothing answers). */
export function registryStatus(host: string, auth?: { username: string; password: string }, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (auth) headers.Authorization = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    const req = http.get(`http://${host}/v2/`, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** The socket path of a `unix://` DOCKER_HOST; throws for any other form. */
export function socketPathOf(dockerHost: string): string {
  if (!dockerHost.startsWith('unix://')) throw new Error(`not a unix socket DOCKER_HOST: ${dockerHost}`);
  return dockerHost.slice('unix://'.length);
}
