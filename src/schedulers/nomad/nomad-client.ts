import { SlipwayError } from '../../core/errors.ts';

/** Where Nomad is and who we are there: NOMAD_ADDR, NOMAD_TOKEN, NOMAD_NAMESPACE, NOMAD_REGION. */
export interface NomadConnection {
  readonly addr: string;
  readonly token?: string;
  readonly namespace: string;
  readonly region?: string;
}

/**
 * Whether a 500 answer is Nomad refusing what was sent, or Nomad failing. Nomad reports job
 * validation failures, check-and-set conflicts and unknown namespaces as 500 with a plain-text
 * reason, so for calls that submit a job (`submits: true`) a 500 is a rejection; other 5xx
 * answers, and a 500 to anything else, mean the cluster is in trouble (retry).
 */
export interface RequestOptions {
  readonly submits?: boolean;
  /** answer `undefined` for a 404 instead of throwing (a job that does not exist yet) */
  readonly missingOk?: boolean;
  readonly body?: unknown;
}

/** A small client of Nomad's HTTP API (`/v1/…`), plain-text errors turned into SlipwayErrors. */
export interface NomadClient {
  get<T>(path: string, options?: RequestOptions): Promise<T | undefined>;
  post<T>(path: string, options?: RequestOptions): Promise<T>;
  delete<T>(path: string, options?: RequestOptions): Promise<T>;
}

/** Nomad's own errors for a leaderless or partitioned cluster, sent whole as the body of a 500. */
const TRANSIENT_500 = new Set(['No cluster leader', 'No path to region']);
const TIMEOUT_MS = 30_000;

/**
 * A fetch-based client: base URL NOMAD_ADDR, `X-Nomad-Token` when a token is set, `namespace`
 * (and `region` when set) on every call. Cannot connect, or times out → SCHEDULER_UNREACHABLE
 * (retryable). 4xx → SCHEDULER_REJECTED with Nomad's text. 5xx → see RequestOptions.submits.
 */
export function createNomadClient(connection: NomadConnection, fetchImpl: typeof fetch = fetch): NomadClient {
  const base = connection.addr.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (connection.token) headers['x-nomad-token'] = connection.token;

  async function call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T | undefined> {
    const url = new URL(`${base}/v1${path}`);
    url.searchParams.set('namespace', connection.namespace);
    if (connection.region) url.searchParams.set('region', connection.region);
    const what = `${method} ${url.pathname}`;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method,
        headers: options.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new SlipwayError('SCHEDULER_UNREACHABLE', `Nomad at ${base} is not reachable (${what}): ${networkReason(err)}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return parse<T>(text, what);
    if (res.status === 404 && options.missingOk) return undefined;
    throw httpError(res.status, text.trim(), what, options.submits === true);
  }

  return {
    get: <T>(path: string, options?: RequestOptions) => call<T>('GET', path, options),
    post: async <T>(path: string, options?: RequestOptions) => (await call<T>('POST', path, options)) as T,
    delete: async <T>(path: string, options?: RequestOptions) => (await call<T>('DELETE', path, options)) as T,
  };
}

function parse<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new SlipwayError('SCHEDULER_UNREACHABLE', `Nomad answered ${what} with something that is not JSON: ${text.slice(0, 200)}`, { cause });
  }
}

/** The SlipwayError for an HTTP error answer. Exported for its table-driven test. */
export function httpError(status: number, text: string, what: string, submits: boolean): SlipwayError {
  const reason = text || `HTTP ${status}`;
  const rejected = status < 500 || (status === 500 && submits && !TRANSIENT_500.has(text));
  const message = rejected ? `Nomad refused ${what} (HTTP ${status}): ${reason}` : `Nomad failed ${what} (HTTP ${status}): ${reason}`;
  return new SlipwayError(rejected ? 'SCHEDULER_REJECTED' : 'SCHEDULER_UNREACHABLE', message, { cause: { status, body: text } });
}

function networkReason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
