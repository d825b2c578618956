import type { Request } from 'express';
import type { BuildState } from '../core/build.ts';
import { BUILD_STATES, type BuildFilter } from '../pipeline/builds-page.ts';

/**
 * The build list's filter from a request's query (`service`, `branch`, `state`, `author`, `limit`,
 * `before`), as `GET /api/builds` and its event stream read it; a sentence for a 400 when `state`
 * is not a build state.
 */
export function buildFilterQuery(req: Request, defaultLimit: number): BuildFilter | string {
  const limit = clamp(Number(req.query.limit ?? defaultLimit), 1, 200);
  const before = typeof req.query.before === 'string' && /^\d+$/.test(req.query.before) ? req.query.before : undefined;
  const [service, branch, state, author] = (['service', 'branch', 'state', 'author'] as const).map((k) => (typeof req.query[k] === 'string' && req.query[k] !== '' ? (req.query[k] as string) : undefined));
  if (state && !BUILD_STATES.includes(state as BuildState)) return `state is one of ${BUILD_STATES.join(', ')}, not "${state}"`;
  return { limit, before, service, branch, state: state as BuildState | undefined, author };
}

/** `n` as an integer within [min, max]; min when it is not a number. */
export function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.trunc(n))) : min;
}
