import express, { type Response, type Router } from 'express';
import type { ReleaseRecord } from '../core/ports/build-store.ts';
import type { RequestResult } from '../pipeline/queue-requested-deploy.ts';
import { LOOKBACK, previousBuildId } from '../pipeline/queue-rollback.ts';
import { requestAnswer } from '../pipeline/queued-deploy-view.ts';
import { isBuildId } from '../core/build.ts';

/** What the release-control routes ask of the rest of Slipway (composed in workers/environment-actions.ts). */
export interface EnvironmentActions {
  deploy(service: string, environment: string, buildId: string): Promise<RequestResult>;
  promote(service: string, from: string, to: string): Promise<RequestResult>;
  approve(service: string, environment: string): Promise<RequestResult>;
  rollback(service: string, environment: string, to?: string): Promise<RequestResult>;
  /** the release history there, newest first, and the service's GitHub repository */
  releases(service: string, environment: string, limit: number): Promise<{ releases: ReleaseRecord[]; repository?: string } | { refused: string }>;
}

const BASE = '/api/services/:service/environments/:environment';

/**
 * Release control over HTTP, behind the same guard as the rest of `/api` (token, or a signed-in
 * session with its CSRF header). A POST that queued a deploy answers 202 with it; one that cannot
 * apply (unknown environment, build not pushed, nothing to approve or promote or roll back to)
 * answers 409 with the reason; a body that names neither or both of `build` and `from` is 400.
 */
export function environmentRoutes(actions: EnvironmentActions): Router {
  const router = express.Router();
  const json = express.json({ limit: '16kb' });
  type Params = { service: string; environment: string };

  router.post(`${BASE}/deploy`, json, async (req, res) => {
    const { service, environment } = req.params as Params;
    const body = (req.body ?? {}) as { build?: unknown; from?: unknown };
    const asked = [body.build, body.from].filter((v) => v !== undefined).length;
    if (asked !== 1) return void res.status(400).json({ error: 'send {"build":"<id>"} to deploy a pushed build, or {"from":"<environment>"} to promote the digest running there' });
    if (body.build !== undefined) {
      const build = typeof body.build === 'number' ? String(body.build) : body.build;
      if (typeof build !== 'string' || !isBuildId(build)) return void res.status(400).json({ error: '"build" is a build id (a number, as on the build page)' });
      return void answer(res, await actions.deploy(service, environment, build));
    }
    if (typeof body.from !== 'string' || body.from === '') return void res.status(400).json({ error: '"from" is the name of an environment' });
    answer(res, await actions.promote(service, body.from, environment));
  });

  router.post(`${BASE}/approve`, async (req, res) => {
    const { service, environment } = req.params as Params;
    answer(res, await actions.approve(service, environment));
  });

  router.post(`${BASE}/rollback`, json, async (req, res) => {
    const { service, environment } = req.params as Params;
    const to = ((req.body ?? {}) as { to?: unknown }).to;
    const id = typeof to === 'number' ? String(to) : to;
    if (id !== undefined && (typeof id !== 'string' || !isBuildId(id))) return void res.status(400).json({ error: '"to" is a build id (a number), or left out for the release before the current one' });
    answer(res, await actions.rollback(service, environment, id));
  });

  router.get(`${BASE}/releases`, async (req, res) => {
    const { service, environment } = req.params as Params;
    const limit = Math.min(20, Math.max(1, Math.trunc(Number(req.query.limit ?? 10)) || 10));
    // Read as far back as a rollback looks, whatever the limit: rollbackTo is what it would put back.
    const found = await actions.releases(service, environment, LOOKBACK);
    if ('refused' in found) return void res.status(404).json({ error: found.refused });
    res.json({ service, environment, repository: found.repository, releases: found.releases.slice(0, limit), rollbackTo: previousBuildId(found.releases) ?? null });
  });

  return router;
}

/** 202 with what was queued, or 409 with why nothing was. */
function answer(res: Response, result: RequestResult): void {
  const answered = requestAnswer(result);
  if ('refused' in answered) return void res.status(409).json({ error: answered.refused, reason: answered.reason });
  res.status(202).json(answered.queued);
}
