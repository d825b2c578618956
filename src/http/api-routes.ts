import express, { type Router } from 'express';
import type { BuildStore } from '../core/ports/build-store.ts';

const FINISHED = new Set(['passed', 'failed', 'error', 'cancelled', 'skipped']);

/**
 * Read-only JSON API over build records and logs.
 * `GET /api/builds?limit=50&before=<id>`, `GET /api/builds/:id`,
 * `GET /api/builds/:id/logs?from=<line>` (text/plain; `X-Next-Line` tells where to resume,
 * `X-Build-Finished: true` once no more lines will come; `?format=json` for `{lines, next, finished}`).
 */
export function apiRoutes(store: BuildStore): Router {
  const router = express.Router();
  router.param('id', (req, res, next, id: string) => (/^\d{1,15}$/.test(id) ? next() : void res.status(404).json({ error: `no build ${id}` })));

  router.get('/api/builds', async (req, res) => {
    const limit = clamp(Number(req.query.limit ?? 50), 1, 200);
    const before = typeof req.query.before === 'string' && /^\d+$/.test(req.query.before) ? req.query.before : undefined;
    res.json({ builds: await store.list({ limit, before }) });
  });

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
    const finished = FINISHED.has(build.state) && build.deploys.every((d) => d.state !== 'queued' && d.state !== 'running');
    if (req.query.format === 'json') return void res.json({ lines, next, finished });
    res.set({ 'X-Next-Line': String(next), 'X-Build-Finished': String(finished) });
    res.type('text/plain').send(lines.length ? `${lines.join('\n')}\n` : '');
  });

  return router;
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.trunc(n))) : min;
}
