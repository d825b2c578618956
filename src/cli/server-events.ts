import type { Build } from '../core/build.ts';
import { ServerProblem, serverFetch } from './server-call.ts';

/** Until the stream's answer starts; after that it stays open as long as the build runs. */
const CONNECT_TIMEOUT_MS = 15_000;
/**
 * A stream that drops before `end` is opened again from the last line received; this many times
 * in a row at most without an event in between. The server ends every stream after 10 minutes
 * (event-stream.ts), so a stream that delivered events and then ended is a turn, not a failure.
 */
const RECONNECTS = 5;

/** What a followed build sends: its record whenever it changes, and its new log lines. */
export interface BuildEventHandlers {
  build(build: Build): void;
  lines(lines: readonly string[]): void;
}

/**
 * Follows `GET /api/builds/:id/events` (Server-Sent Events) from log line `from` until its `end`
 * event: every `log` event's lines and `build` record go to `on`. A stream that drops is reopened
 * where it stopped (`?from=<next>`).
 */
export async function followBuildEvents(root: string, token: string | undefined, id: string, from: number, on: BuildEventHandlers): Promise<void> {
  let next = from;
  let drops = 0; // streams in a row that ended before `end` without one event
  for (;;) {
    const connect = new AbortController();
    const timer = setTimeout(() => connect.abort(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000}s`)), CONNECT_TIMEOUT_MS);
    const path = `/api/builds/${encodeURIComponent(id)}/events?from=${next}`;
    const res = await serverFetch(root, token, path, { headers: { accept: 'text/event-stream' }, signal: connect.signal }).finally(() => clearTimeout(timer));
    if (!res.ok || !res.body) throw new ServerProblem(`the server at ${root} answered ${res.status} to GET ${path}`);
    let ended = false;
    let delivered = false;
    await readEvents(res.body, (event, data) => {
      delivered = true;
      if (event === 'build') on.build(JSON.parse(data) as Build);
      if (event === 'log') {
        const chunk = JSON.parse(data) as { lines: { text: string }[]; next: number };
        on.lines(chunk.lines.map((l) => l.text));
        next = chunk.next;
      }
      if (event === 'end') ended = true;
      return ended;
    }).catch(() => undefined); // a dropped connection: reopened below
    if (ended) return;
    drops = delivered ? 0 : drops + 1;
    if (drops > RECONNECTS) throw new ServerProblem(`the event stream of build ${id} at ${root} kept dropping`);
  }
}

/** Calls `on` with each event's name and data until it returns true or the stream ends. */
async function readEvents(body: ReadableStream<Uint8Array>, on: (event: string, data: string) => boolean): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0 && on(event, data.join('\n'))) return; // leaving the loop cancels the stream
    }
  }
}
