import type { Build, BuildState } from '../core/build.ts';
import type { BuildStore } from '../core/ports/build-store.ts';

export const BUILD_STATES: readonly BuildState[] = ['queued', 'running', 'passed', 'failed', 'error', 'cancelled', 'skipped'];

/** Which builds to list: all fields optional; `before` is the id to list below (the previous page's `next`). */
export interface BuildFilter {
  readonly service?: string;
  readonly branch?: string;
  readonly state?: BuildState;
  /** the commit's author as the payload named them (GitHub login), case-insensitive */
  readonly author?: string;
  readonly before?: string;
  readonly limit: number;
}

/** One page of builds, newest first; `next` is the `before` of the following page, absent at the end. */
export interface BuildsPage {
  readonly builds: Build[];
  readonly next?: string;
}

/** Builds read per round trip while filtering. */
const BATCH = 100;
/** Builds a page looks through at most: a rare filter returns a short page with `next`, not a long wait. */
const MAX_SCANNED = 2_000;

/**
 * A page of builds matching the filter, newest first. The service filter uses the service's own
 * index; branch, state and author are checked on the records, reading at most MAX_SCANNED of them
 * per page (a page may then hold fewer than `limit` builds and still have a `next`).
 */
export async function buildsPage(store: Pick<BuildStore, 'list'>, filter: BuildFilter): Promise<BuildsPage> {
  const matches = matcher(filter);
  if (!filter.branch && !filter.state && !filter.author) {
    const builds = await store.list({ limit: filter.limit + 1, before: filter.before, service: filter.service });
    return page(builds.slice(0, filter.limit), builds.length > filter.limit);
  }
  const found: Build[] = [];
  let before = filter.before;
  for (let scanned = 0; scanned < MAX_SCANNED; ) {
    const batch = await store.list({ limit: BATCH, before, service: filter.service });
    for (const build of batch) {
      before = build.id;
      if (!matches(build)) continue;
      if (found.length === filter.limit) return page(found, true);
      found.push(build);
    }
    scanned += batch.length;
    if (batch.length < BATCH) return page(found, false);
  }
  return { builds: found, next: before };
}

function page(builds: Build[], more: boolean): BuildsPage {
  return more && builds.length > 0 ? { builds, next: builds.at(-1)!.id } : { builds };
}

function matcher(filter: BuildFilter): (build: Build) => boolean {
  const author = filter.author?.toLowerCase();
  return (b) =>
    (!filter.service || b.service === filter.service) &&
    (!filter.branch || b.event.branch === filter.branch) &&
    (!filter.state || b.state === filter.state) &&
    (!author || b.event.author?.toLowerCase() === author);
}
