
/** Something the server answered that is not an answer: the command prints it and exits 1. */
export class ServerProblem extends Error {}

const TIMEOUT_MS = 15_000;

/** What a Slipway server answered: the status and the JSON body (`{}` when there was none). */
export interface ServerAnswer {
  readonly status: number;
  readonly body: { error?: string; reason?: string } & Record<string, unknown>;
}

/**
 * One request to a Slipway server's API (`--server <url>`), with the API token as a bearer token
 * when given. No server answering, or a 401, throws ServerProblem (the command prints it, exit 1);
 * every other answer is returned for the caller to judge.
 */
export function serverCall(base: string, token: string | undefined): { root: string; call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ServerAnswer> } {
  const root = base.replace(/\/+$/, '');
  return {
    root,
    async call(method, path, body) {
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      const res = await serverFetch(root, token, path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as ServerAnswer['body'] };
    },
  };
}

/** fetch with the token as a bearer token; no server answering, or a 401, throws ServerProblem. */
export async function serverFetch(root: string, token: string | undefined, path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${root}${path}`, { ...init, headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ServerProblem(`cannot reach the server at ${root}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (res.status === 401) {
    await res.body?.cancel();
    throw new ServerProblem(`the server at ${root} refused the request: ${token ? 'SLIPWAY_API_TOKEN is not its API token' : 'it needs its API token in SLIPWAY_API_TOKEN'}`);
  }
  return res;
}

/** The problem for an answer the command did not expect (exit 1). */
export function unexpected(root: string, method: string, path: string, answer: ServerAnswer): ServerProblem {
  return new ServerProblem(`the server at ${root} answered ${answer.status} to ${method} ${path}${answer.body.error ? `: ${answer.body.error}` : ''}`);
}
