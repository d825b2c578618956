import express, { type Router } from 'express';
import { isBuildId, isSettled } from '../core/build.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import { buildsPage } from '../pipeline/builds-page.ts';
import type { EnvironmentsOverview } from '../pipeline/environments-overview.ts';
import { buildFilterQuery, clamp } from './build-filter-query.ts';

/**
 * Read-only JSON API over build records and logs.
 * `GET /api/builds?service=&branch=&state=&author=&limit=50&before=<id>`: `{builds, next}`, newest
 * first; `next` (absent on the last page) is the `before` of the next page. `GET /api/builds/:id`,
 * `GET /api/builds/:id/logs?from=<line>` (text/plain; `X-Next-Line` tells where to resume,
 * `X-Build-Finished: true` once no more lines will come; `?format=json` for `{lines, next, finished}`).
 * `GET /api/environments` (with `overview`): every service × environment, what runs and what waits there.
 */
export function apiRoutes(store: BuildStore, overview?: () => Promise<EnvironmentsOverview>): Router {
  const router = express.Router();
  router.param('id', (req, res, next, id: string) => (isBuildId(id) ? next() : void res.status(404).json({ error: `no build ${id}` })));

  router.get('/api/builds', async (req, res) => {
    const filter = buildFilterQuery(req, 50);
    if (typeof filter === 'string') return void res.status(400).json({ error: filter });
    res.json(await buildsPage(store, filter));
  });

  if (overview) router.get('/api/environments', async (_req, res) => void res.json(await overview()));

  router.get('/api/builds/:id', async (req, res) => {
    const build = await store.get(req.params.id);
    if (!build) return void res.status(404).json({ error: `no build ${req.params.id}` });
    res.json(build);
  });

  router.get('/api/builds/:id/logs', async (req, res) => {
    const build = await store.get(req.params.id);
    if (!build) return void res.status(404).json({ error: `no build ${req.params.id}` });
    const from = clamp(Number(req.query.from ?? 0), 0, Number.MAX_SAFE_INTEGER);
    // `next` comes from the log: once a long log's middle is cut, line numbers skip the cut lines.
    const { lines, next } = await store.readLog(build.id, from);
    const finished = isSettled(build);
    if (req.query.format === 'json') return void res.json({ lines, next, finished });
    res.set({ 'X-Next-Line': String(next), 'X-Build-Finished': String(finished) });
    res.type('text/plain').send(lines.length ? `${lines.join('\n')}\n` : '');
  });

  return router;
}
