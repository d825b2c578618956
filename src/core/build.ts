import type { ImageRef } from './image.ts';
import type { SourceEvent } from './source-event.ts';

export type StageName = 'clone' | 'build' | 'test' | 'push';
export type StageState = 'pending' | 'running' | 'passed' | 'failed' | 'error' | 'skipped';

/**
 * Outcome of a build as a whole. `failed` = the user's code failed (build step or test);
 * `error` = Slipway or an external system failed; `cancelled` = stopped on purpose (`slipway cancel`,
 * or superseded by a newer push): never deployed; `skipped` = nothing to build (a skip word in a pull
 * request's head commit, or no file in the pipeline's `paths` changed): never deployed, status
 * `success`. Statuses and messages map from these.
 */
export type BuildState = 'queued' | 'running' | 'passed' | 'failed' | 'error' | 'cancelled' | 'skipped';
/** `held`: waiting for `slipway approve` (an `approval: required` entry); not an outcome. */
export type DeployState = 'queued' | 'held' | 'running' | 'succeeded' | 'failed' | 'rolled_back' | 'skipped' | 'error';

/** How a person asked for a deploy (a rollback keeps its own `rollback` flag): the ancestry fence does not apply. */
export type DeployRequestKind = 'deploy' | 'promote' | 'approval';

export interface StageRecord {
  name: StageName;
  state: StageState;
  startedAt?: number;
  finishedAt?: number;
  detail?: string;
}

/**
 * One deploy of a build to one environment: a push's deploy, a rollback, a redeploy. Each has its
 * own id (increasing across all builds), so a build's deploy history only ever grows.
 */
export interface DeployRecord {
  id: string;
  environment: string;
  scheduler: string;
  state: DeployState;
  detail?: string;
  /** a rollback (`slipway rollback`): puts this earlier build back, past the ancestry fence */
  rollback?: boolean;
  /** asked for by a person: `slipway deploy`, `slipway promote`, or a held deploy `slipway approve` let go */
  requested?: DeployRequestKind;
  /** a promotion: the environment whose running digest this deploys */
  from?: string;
  /** a deploy a person asked for that went back to an older commit: the newer sha it replaced */
  backFrom?: string;
  /** where this deploy answers when that is known only as it starts (a preview's URL naming its port) */
  url?: string;
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
  /** `slipway rerun`: the build whose commit this one builds again */
  rerunOf?: string;
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

const FINAL_STATES = new Set<string>(['passed', 'failed', 'error', 'cancelled', 'succeeded', 'rolled_back', 'skipped']);

/** Whether a build or deploy state is an outcome: nothing changes it any more. */
export function isFinal(state: BuildState | DeployState): boolean {
  return FINAL_STATES.has(state);
}

/** Whether a build has ended and none of its deploys is queued or running (a held one waits for a person): its log is complete. */
export function isSettled(build: Pick<Build, 'state' | 'deploys'>): boolean {
  return isFinal(build.state) && build.deploys.every((d) => d.state !== 'queued' && d.state !== 'running');
}

/** Whether `text` can be a build id: the decimal number the store gave it (as on the build page). */
export function isBuildId(text: string): boolean {
  return /^\d{1,15}$/.test(text);
}
