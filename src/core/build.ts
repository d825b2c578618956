import type { ImageRef } from './image.ts';
import type { SourceEvent } from './source-event.ts';

export type StageName = 'clone' | 'build' | 'test' | 'push';
export type StageState = 'pending' | 'running' | 'passed' | 'failed' | 'error' | 'skipped';

/**
 * Outcome of a build as a whole. `failed` = the user's code failed (build step or test);
 * `error` = Slipway or an external system failed. Statuses and messages map from these.
 */
export type BuildState = 'queued' | 'running' | 'passed' | 'failed' | 'error';
export type DeployState = 'queued' | 'running' | 'succeeded' | 'failed' | 'rolled_back' | 'skipped' | 'error';

export interface StageRecord {
  name: StageName;
  state: StageState;
  startedAt?: number;
  finishedAt?: number;
  detail?: string;
}

export interface DeployRecord {
  environment: string;
  scheduler: string;
  state: DeployState;
  detail?: string;
  /** a rollback (`slipway rollback`): puts this earlier build back, past the ancestry fence */
  rollback?: boolean;
  startedAt?: number;
  finishedAt?: number;
}

/** A build record, as stored and served by the API. Times are epoch milliseconds. */
export interface Build {
  id: string;
  service: string;
  event: SourceEvent;
  state: BuildState;
  detail?: string;
  stages: StageRecord[];
  /** the image built (and, once pushed, its digest) */
  image?: ImageRef;
  deploys: DeployRecord[];
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

export const STAGES: readonly StageName[] = ['clone', 'build', 'test', 'push'];

export function newBuild(id: string, service: string, event: SourceEvent, now: number): Build {
  return {
    id,
    service,
    event,
    state: 'queued',
    stages: STAGES.map((name) => ({ name, state: 'pending' })),
    deploys: [],
    createdAt: now,
  };
}
