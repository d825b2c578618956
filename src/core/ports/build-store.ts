import type { Build, DeployRecord } from '../build.ts';
import type { SourceEvent } from '../source-event.ts';
import type { BuildLog, LogPage } from './build-log.ts';

/** The release running in one (service, environment), as Slipway last deployed it. */
export interface ReleaseRecord {
  readonly service: string;
  readonly environment: string;
  readonly sha: string;
  readonly image: string;
  readonly buildId: string;
  readonly deployedAt: number;
  /** put back by `slipway rollback` rather than deployed by a push */
  readonly rollback?: boolean;
}

/**
 * Build records, build logs and releases. `create` assigns increasing ids. `update` changes the
 * build's own fields and has one writer at a time (the build job); `setDeploy` records one
 * environment's deploy and may run concurrently for different environments. Logs are append-only
 * and readable while they grow.
 */
export interface BuildStore {
  create(service: string, event: SourceEvent): Promise<Build>;
  get(id: string): Promise<Build | undefined>;
  list(options: { limit: number; before?: string }): Promise<Build[]>;
  update(id: string, mutate: (build: Build) => void): Promise<Build>;
  setDeploy(id: string, deploy: DeployRecord): Promise<Build>;
  log(id: string): BuildLog;
  /** lines from `fromLine` on (numbered as written, so they stay valid when a long log's middle is cut) */
  readLog(id: string, fromLine?: number): Promise<LogPage>;
  release(service: string, environment: string): Promise<ReleaseRecord | undefined>;
  recordRelease(release: ReleaseRecord): Promise<void>;
  releases(service: string, environment: string, limit: number): Promise<ReleaseRecord[]>;
}
