import type { Pipeline } from '../core/pipeline.ts';
import { pathsSkipReason, touchesPaths } from '../core/paths-filter.ts';
import type { SourceEvent } from '../core/source-event.ts';
import { listedChanges } from './listed-changes.ts';

export interface PathsVerdict {
  /** the pipelines the push is built for */
  readonly build: readonly Pipeline[];
  /** the event as stored on their builds (says whether the server could decide) */
  readonly event: SourceEvent;
  /** why no pipeline is left, when none is */
  readonly skipped?: string;
}

/**
 * Applies each pipeline's `paths` to a push the server can decide from its payload: a pipeline
 * none of whose paths the push's listed files touch is left out. When the lists cannot decide
 * (listed-changes.ts) or the event is a pull request (no lists), every pipeline builds and its
 * worker decides from git. Pipelines without `paths` always build. Pure and in memory: no I/O on
 * the webhook's path, and the lists are only read when a pipeline has `paths`.
 */
export function applyPaths(pipelines: readonly Pipeline[], event: SourceEvent, payload: unknown): PathsVerdict {
  if (event.kind !== 'push' || !pipelines.some((p) => p.paths)) return { build: pipelines, event };
  const listed = listedChanges(payload);
  if (!listed.complete) return { build: pipelines, event };
  const build = pipelines.filter((p) => !p.paths || touchesPaths(p.paths, listed.files));
  const decided: SourceEvent = { ...event, filesListed: true };
  if (build.length > 0) return { build, event: decided };
  const since = event.before ? event.before.slice(0, 7) : 'the last push';
  const reasons = [...new Set(pipelines.map((p) => pathsSkipReason(p.paths ?? [], since)))];
  return { build, event: decided, skipped: reasons.join('; ') };
}
