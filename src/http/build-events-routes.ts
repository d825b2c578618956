import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { isBuildId, isSettled } from '../core/build.ts';
import type { LogPage } from '../core/ports/build-log.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import { buildsPage } from '../pipeline/builds-page.ts';
import { buildFilterQuery } from './build-filter-query.ts';
import { openEventStream, pollInto, type EventStream } from './event-stream.ts';
import { numberLogPage } from './numbered-log.ts';

/** How often an open stream reads Redis: one build and its new log lines, or the first page of the list. */
const BUILD_POLL_MS = 500;
const LIST_POLL_MS = 1_000;
const LIST_LIMIT = 25;
/** Log lines per `log` event: a long log arrives in pieces the page shows as they come. */
const LOG_CHUNK = 2_000;

/**
 * Server-Sent Events for the dashboard, behind the `/api` guard. Each open stream reads the store
 * on a timer (a dashboard has few viewers; the worker writes builds from another process) and
 * sends only what changed.
 *
 * `GET /api/builds/:id/events[?from=<line>]`: `build` (the record, whenever it changes), `log`
 * (`{lines: [{n, text}], next}`, new lines as they are written; the event id is `next`, so a
 * reconnecting EventSource resumes where it was), and `end` once the build and its deploys are
 * over and the whole log was sent.
 *
 * `GET /api/builds` with `Accept: text/event-stream` (what EventSource sends), the same filters as
 * the JSON list: `builds` (`{builds, next}`, the first page) whenever it changes. Without that
 * header the request goes on to the JSON route.
 */
export function buildEventsRoutes(store: BuildStore, logger: Logger, shutdown?: AbortSignal): Router {
  const router = express.Router();

  router.get('/api/builds', async (req, res, next) => {
    if (!(req.get('accept') ?? '').includes('text/event-stream')) return next();
    const filter = buildFilterQuery(req, LIST_LIMIT);
    if (typeof filter === 'string') return void res.status(400).json({ error: filter });
    const stream = openEventStream(req, res, shutdown);
    let last = '';
    await pollInto(stream, LIST_POLL_MS, { logger, path: req.path }, async () => {
      const page = await buildsPage(store, filter);
      const json = JSON.stringify(page);
      if (json !== last) stream.send('builds', page);
      last = json;
      return false;
    });
  });

  router.get('/api/builds/:id/events', async (req, res) => {
    const id = req.params.id;
    if (!isBuildId(id) || !(await store.get(id))) return void res.status(404).json({ error: `no build ${id}` });
    const resumeAt = Number(req.get('last-event-id') ?? req.query.from ?? 0);
    let from = Number.isSafeInteger(resumeAt) && resumeAt > 0 ? resumeAt : 0;
    const stream = openEventStream(req, res, shutdown);
    let last = '';
    await pollInto(stream, BUILD_POLL_MS, { logger, path: req.path }, async () => {
      const build = await store.get(id);
      if (!build) return true;
      const json = JSON.stringify(build);
      if (json !== last) stream.send('build', build);
      last = json;
      const page = await store.readLog(id, from);
      sendLog(stream, page, from);
      from = page.next;
      if (!isSettled(build)) return false;
      // Lines flushed just before the outcome was written are in by now: read once more, then end.
      const rest = await store.readLog(id, from);
      sendLog(stream, rest, from);
      stream.send('end', { state: build.state });
      return true;
    });
  });

  return router;
}

/** New log lines as `log` events of at most LOG_CHUNK lines; only the last carries the id to resume from (`next`). */
function sendLog(stream: EventStream, page: LogPage, from: number): void {
  const lines = numberLogPage(page, from);
  for (let i = 0; i < lines.length; i += LOG_CHUNK) {
    const last = i + LOG_CHUNK >= lines.length;
    stream.send('log', { lines: lines.slice(i, i + LOG_CHUNK), next: page.next }, last ? String(page.next) : undefined);
  }
}
