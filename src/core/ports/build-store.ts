import type { Build, DeployRecord } from '../build.ts';
import type { PushedImage } from '../image.ts';
import type { ReleaseCause } from '../release-cause.ts';
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
  /** for a rollback: the build whose release it replaced (a later rollback never puts that one back) */
  readonly replaced?: string;
  /** deployed because a person asked (`slipway deploy`, `promote`, `approve`) */
  readonly requested?: 'deploy' | 'promote' | 'approval';
  /** how it came: a push, an approval, a deploy by hand, a promotion or a rollback (records written before it existed read with it filled in) */
  readonly cause: ReleaseCause;
  /** for a promotion: the environment whose running digest it deployed */
  readonly from?: string;
}

/** How many of a service's newest builds `lastPushed` looks through for a pushed image. */
export const LAST_PUSHED_SCAN = 50;

/** A build, or one deploy of it, that has not reached an outcome yet. */
export interface Unsettled {
  readonly build: Build;
  readonly deploy?: DeployRecord;
}

/** A deploy about to be queued: the store gives it its id. */
export type NewDeploy = Omit<DeployRecord, 'id' | 'state'>;

/**
 * Build records, build logs and releases. `create` assigns increasing ids. `update` changes the
 * build's own fields and has one writer at a time (the build job). `addDeploy` records a new
 * deploy (state `queued`, a new increasing id): deploys are history, never overwritten by a later
 * one; `setDeploy` updates one deploy by its id and may run concurrently for different deploys.
 * Logs are append-only and readable while they grow.
 */
export interface BuildStore {
  /** a new build, with a new id or one reserved earlier (see DeliveryLedger); for an id that exists, the build as it is */
  create(service: string, event: SourceEvent, reservedId?: string): Promise<Build>;
  get(id: string): Promise<Build | undefined>;
  /** newest first, ids below `before`; `service`: that service's builds only (its own index) */
  list(options: { limit: number; before?: string; service?: string }): Promise<Build[]>;
  update(id: string, mutate: (build: Build) => void): Promise<Build>;
  addDeploy(id: string, deploy: NewDeploy): Promise<{ build: Build; deploy: DeployRecord }>;
  setDeploy(id: string, deploy: DeployRecord): Promise<Build>;
  /**
   * Builds and deploys created before `olderThan` (epoch ms) that have no outcome yet, oldest
   * first, at most `limit`: what a reconciler checks for work that no job will settle.
   */
  unsettled(olderThan: number, limit: number): Promise<Unsettled[]>;
  /**
   * The image of the service's newest build that was pushed (it has a digest), looking at no more
   * than its newest `LAST_PUSHED_SCAN` builds; undefined when none of them was. What a worker that
   * never built the service takes its build cache from.
   */
  lastPushed(service: string): Promise<PushedImage | undefined>;
  log(id: string): BuildLog;
  /** lines from `fromLine` on (numbered as written, so they stay valid when a long log's middle is cut) */
  readLog(id: string, fromLine?: number): Promise<LogPage>;
  release(service: string, environment: string): Promise<ReleaseRecord | undefined>;
  recordRelease(release: ReleaseRecord): Promise<void>;
  releases(service: string, environment: string, limit: number): Promise<ReleaseRecord[]>;
  /** every (service, environment) a release was ever recorded in, sorted by service then environment */
  releaseTargets(): Promise<ReleaseTarget[]>;
}

export interface ReleaseTarget {
  readonly service: string;
  readonly environment: string;
}
