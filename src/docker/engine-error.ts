/** Socket errors that mean the engine (or the connection to it) is not there. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * What a dockerode call failure was: the engine could not be reached, or it answered with an
 * HTTP status and a message (`{"message": …}` in the body). Pure; used to pick error codes.
 */
export interface EngineFailure {
  readonly unreachable: boolean;
  readonly status?: number;
  readonly message: string;
}

export function engineFailure(err: unknown): EngineFailure {
  const e = (err ?? {}) as { code?: unknown; statusCode?: unknown; json?: unknown; message?: unknown };
  const raw = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) {
    return { unreachable: true, message: raw };
  }
  if (typeof e.statusCode === 'number') {
    return { unreachable: false, status: e.statusCode, message: bodyMessage(e.json) ?? stripModemPrefix(raw) };
  }
  return { unreachable: false, message: raw };
}

/** True when the engine answered 404 (no such container / image). */
export function isNotFound(err: unknown): boolean {
  return engineFailure(err).status === 404;
}

function bodyMessage(json: unknown): string | undefined {
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  return undefined;
}

/** docker-modem words its errors `(HTTP code 404) no such container - <engine message> `. */
function stripModemPrefix(message: string): string {
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}
