import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

/** One Server-Sent Events response, open until the client leaves, the server shuts down, or `end()`. */
export interface EventStream {
  /** an event named `event` with `data` as its JSON; `id` is what a reconnecting EventSource sends back as Last-Event-ID */
  send(event: string, data: unknown, id?: string): void;
  end(): void;
  /** aborted once the stream is over for any reason */
  readonly signal: AbortSignal;
}

const HEARTBEAT_MS = 15_000;
/** A stream is ended after this long; EventSource reconnects by itself (with Last-Event-ID), so proxies never see one endless response. */
const MAX_LIFETIME_MS = 10 * 60_000;

/**
 * Opens `res` as a `text/event-stream` (no caching, no proxy buffering), with a comment line as a
 * heartbeat every 15 s so idle proxies keep it open. `shutdown` (the server closing) ends it.
 */
export function openEventStream(req: Request, res: Response, shutdown?: AbortSignal): EventStream {
  const done = new AbortController();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const lifetime = setTimeout(() => end(), MAX_LIFETIME_MS);
  const end = () => {
    if (done.signal.aborted) return;
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    shutdown?.removeEventListener('abort', end);
    done.abort();
    res.end();
  };
  req.on('close', end);
  if (shutdown?.aborted) end();
  else shutdown?.addEventListener('abort', end, { once: true });
  return {
    send(event, data, id) {
      if (done.signal.aborted) return;
      // JSON has no raw newlines, so one `data:` line carries it whole.
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end,
    signal: done.signal,
  };
}

/** Where a failing step is told: the operator's logger, and what the stream serves (a path: never the query, headers or a token). */
export interface PollLog {
  readonly logger: Pick<Logger, 'warn'>;
  readonly path: string;
}

/**
 * Runs `step` now and then every `everyMs` until the stream ends or `step` says it is done
 * (returns true). A failing step (Redis gone for a moment) is retried at the next tick; the client
 * sees no error, only a pause. The first failure of a stream is logged (a warning, once per stream:
 * a step failing every 500 ms would otherwise flood the log), so a bug in a step is not a stream
 * that silently sends nothing.
 */
export async function pollInto(stream: EventStream, everyMs: number, log: PollLog, step: () => Promise<boolean>): Promise<void> {
  let warned = false;
  while (!stream.signal.aborted) {
    const finished = await step().catch((err: unknown) => {
      if (!warned) log.logger.warn({ err, path: log.path }, 'event stream step failed; retried at each tick (further failures of this stream not logged)');
      warned = true;
      return false;
    });
    if (finished) return stream.end();
    // node:timers/promises takes its abort listener off again when the time is up: one listener
    // added per tick and never removed piled up 1,200 per stream (MaxListenersExceededWarning).
    await sleep(everyMs, undefined, { signal: stream.signal }).catch(() => undefined);
  }
}
