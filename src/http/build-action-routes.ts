import express, { type Router } from 'express';
import type { CancelResult } from '../pipeline/cancel-build.ts';
import type { RerunResult } from '../pipeline/rerun-build.ts';
import { isBuildId } from '../core/build.ts';

/** What the build routes do, wired by the server (pipeline/cancel-build.ts, pipeline/rerun-build.ts). */
export interface BuildActions {
  cancel(buildId: string, reason: string): Promise<CancelResult>;
  rerun(buildId: string): Promise<RerunResult>;
}

/**
 * `POST /api/builds/:id/cancel`: 200 with the build once it is `cancelled`, 202 while the worker
 * running it stops it, 409 with the reason when it already ended (`reason: final`), 404 for an
 * unknown build. `POST /api/builds/:id/rerun`: 201 with the new build, 409 when the build has not
 * ended (`not_final`) or its service is gone (`no_pipeline`), 404 unknown. Refusals carry
 * `{error, reason}` like the release-control routes. Mounted behind the `/api` guard (token, or a signed-in session
 * with its CSRF header).
 */
export function buildActionRoutes(actions: BuildActions): Router {
  const router = express.Router();
  router.param('id', (req, res, next, id: string) => (isBuildId(id) ? next() : void res.status(404).json({ error: `no build ${id}` })));

  router.post('/api/builds/:id/cancel', async (req, res) => {
    const result = await actions.cancel(req.params.id, 'Cancelled through the API');
    if ('refused' in result) return void res.status(result.reason === 'unknown_build' ? 404 : 409).json({ error: result.refused, reason: result.reason, ...(result.build ? { build: result.build } : {}) });
    if ('stopping' in result) return void res.status(202).json({ message: `build ${req.params.id} is being stopped by the worker running it`, build: result.stopping });
    res.json({ build: result.cancelled });
  });

  router.post('/api/builds/:id/rerun', async (req, res) => {
    const result = await actions.rerun(req.params.id);
    if ('refused' in result) return void res.status(result.reason === 'unknown_build' ? 404 : 409).json({ error: result.refused, reason: result.reason });
    res.status(201).json({ build: result.queued });
  });

  return router;
}
