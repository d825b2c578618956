import type { Build } from '../core/build.ts';
import type { ReleaseRecord } from '../core/ports/build-store.ts';
import type { BuildFilter, BuildsPage } from '../pipeline/builds-page.ts';
import type { EnvironmentsOverview } from '../pipeline/environments-overview.ts';
import type { BuildEventHandlers } from './server-events.ts';

/** A stretch of a build log and whether the build has settled (no more lines will come). */
export interface LogChunk {
  readonly lines: string[];
  readonly next: number;
  readonly finished: boolean;
}

/**
 * What the reading commands (`builds`, `logs`, `environments`, `releases`) ask for: the same
 * answers from Redis directly or from a server's API (`--server`).
 */
export interface SlipwayReads {
  builds(filter: BuildFilter): Promise<BuildsPage>;
  build(id: string): Promise<Build | undefined>;
  log(id: string, from: number): Promise<LogChunk>;
  environments(): Promise<EnvironmentsOverview>;
  releases(service: string, environment: string, limit: number): Promise<{ releases: ReleaseRecord[] } | { refused: string }>;
  /** pushes the build's changes as they come, from log line `from` until it settles (a server's event stream); absent: poll build and log */
  follow?(id: string, from: number, on: BuildEventHandlers): Promise<void>;
}


