// `?watch=1` on a list path: a stream of `{"type": "ADDED|MODIFIED|DELETED", "object": {…}}` lines,
// one per change of a selected object (reference §11's table), starting with an ADDED line for
// each object there is, until `timeoutSeconds` or the client goes away.
import type { IncomingMessage, ServerResponse } from 'node:http';

type Json = any;

const POLL_MS = 50;

export function serveWatch(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, items: () => Json[]): void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
  res.flushHeaders(); // a client waits for the headers before it reads any event
  const seen = new Map<string, Json>();
  const send = (type: string, object: Json) => res.write(`${JSON.stringify({ type, object })}\n`);
  const look = () => {
    let now: Json[];
    try {
      now = items();
    } catch {
      return stop(); // e.g. the watch is no longer allowed: the API server ends the stream
    }
    for (const o of now) {
      const before = seen.get(o.metadata.uid);
      if (!before) send('ADDED', o);
      else if (before.metadata.resourceVersion !== o.metadata.resourceVersion) send('MODIFIED', o);
      seen.set(o.metadata.uid, structuredClone(o));
    }
    for (const [uid, o] of seen) {
      if (!now.some((n) => n.metadata.uid === uid)) {
        send('DELETED', o);
        seen.delete(uid);
      }
    }
  };
  look();
  const timer = setInterval(look, POLL_MS);
  const stop = () => {
    clearInterval(timer);
    clearTimeout(limit);
    res.end();
  };
  const limit = setTimeout(stop, Number(query.get('timeoutSeconds') ?? 1800) * 1000);
  req.socket.once('close', stop);
}
