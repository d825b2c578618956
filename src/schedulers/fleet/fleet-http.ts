import http from 'node:http';
import https from 'node:https';
import { SlipwayError } from '../../core/errors.ts';

/** Where fleet's API listens: a TCP base URL or a unix socket, from FLEETCTL_ENDPOINT. */
export interface FleetTarget {
  readonly endpoint: string;
  readonly socketPath?: string;
  readonly url?: URL;
}

/** A fleet answer: the status and the parsed JSON body (undefined for an empty body). */
export interface FleetResponse {
  readonly status: number;
  readonly body: unknown;
}

/** `http://host:port[/prefix]`, `https://…` or `unix:///path/fleet.sock` → a target. Throws CONFIG_INVALID. */
export function fleetTarget(endpoint: string): FleetTarget {
  if (endpoint.startsWith('unix://')) {
    const socketPath = endpoint.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new SlipwayError('CONFIG_INVALID', `FLEETCTL_ENDPOINT ${endpoint} must be unix:///absolute/path`);
    return { endpoint, socketPath };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new SlipwayError('CONFIG_INVALID', `FLEETCTL_ENDPOINT ${endpoint} is not http://host:port or unix:///path`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SlipwayError('CONFIG_INVALID', `FLEETCTL_ENDPOINT ${endpoint} is not http://host:port or unix:///path`);
  return { endpoint, url };
}

/**
 * One API call: `path` is below `/fleet/v1/`. A body goes as JSON with exactly one
 * `Content-Type: application/json`. Resolves with every answer fleet gives (callers map statuses);
 * rejects with SCHEDULER_UNREACHABLE when there is no answer (refused, reset, timed out, no socket)
 * or the answer is not JSON.
 */
export function fleetRequest(target: FleetTarget, method: string, path: string, body: unknown, timeoutMs: number): Promise<FleetResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
  const base = target.url?.pathname.replace(/\/+$/, '') ?? '';
  const options: http.RequestOptions = target.socketPath
    ? { socketPath: target.socketPath, path: `/fleet/v1/${path}`, method, headers }
    : { host: target.url!.hostname.replace(/^\[(.*)\]$/, '$1'), port: target.url!.port || undefined, path: `${base}/fleet/v1/${path}`, method, headers };
  const send = target.url?.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(unreachable(target, err)));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')) });
        } catch (err) {
          reject(new SlipwayError('SCHEDULER_UNREACHABLE', `fleet at ${target.endpoint} answered ${method} ${path} with ${res.statusCode} and a body that is not JSON`, { cause: err }));
        }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => reject(unreachable(target, err)));
    req.end(payload);
  });
}

function parseBody(text: string): unknown {
  return text.trim() === '' ? undefined : JSON.parse(text);
}

function unreachable(target: FleetTarget, err: Error): SlipwayError {
  return new SlipwayError('SCHEDULER_UNREACHABLE', `fleet at ${target.endpoint} is not reachable: ${err.message}`, { cause: err });
}

/** fleet's error message from `{"error":{"code","message"}}`, or a stand-in when it sent none. */
export function fleetMessage(response: FleetResponse): string {
  const message = (response.body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' && message !== '' ? message : `HTTP ${response.status}`;
}

/**
 * The error an unexpected answer becomes: 5xx (fleet cannot reach etcd, …) → SCHEDULER_UNREACHABLE,
 * anything else (400 invalid unit, 409, 415, 404 on a collection, 405) → SCHEDULER_REJECTED; both
 * carry fleet's own message.
 */
export function fleetFailure(what: string, response: FleetResponse): SlipwayError {
  const code = response.status >= 500 ? 'SCHEDULER_UNREACHABLE' : 'SCHEDULER_REJECTED';
  return new SlipwayError(code, `fleet refused ${what}: ${fleetMessage(response)} (HTTP ${response.status})`);
}
