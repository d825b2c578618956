// The emulator's state: job versions, evaluations, deployments and allocations, as Nomad's state
// store keeps them, with one Raft-like index that every write bumps.
import { randomUUID } from 'node:crypto';

/** A job as Nomad stores and returns it (JSON form, PascalCase keys). */
export type JobJson = Record<string, any>;

export interface EvalRecord {
  ID: string; Namespace: string; Priority: number; Type: string; TriggeredBy: string; JobID: string; JobModifyIndex: number;
  DeploymentID: string; Status: string; StatusDescription: string; BlockedEval: string; PreviousEval: string;
  FailedTGAllocs: Record<string, unknown> | null; QueuedAllocations: Record<string, number>;
  CreateIndex: number; ModifyIndex: number; CreateTime: number; ModifyTime: number;
}

export interface DeploymentGroup {
  AutoRevert: boolean; AutoPromote: boolean; Promoted: boolean; ProgressDeadline: number; RequireProgressBy: string;
  DesiredCanaries: number; PlacedCanaries: string[] | null; DesiredTotal: number; PlacedAllocs: number; HealthyAllocs: number; UnhealthyAllocs: number;
}

export interface DeploymentRecord {
  ID: string; Namespace: string; JobID: string; JobVersion: number; JobModifyIndex: number; JobSpecModifyIndex: number; JobCreateIndex: number;
  IsMultiregion: boolean; Status: string; StatusDescription: string; TaskGroups: Record<string, DeploymentGroup>;
  EvalPriority: number; CreateIndex: number; ModifyIndex: number; CreateTime: number; ModifyTime: number;
}

export interface TaskEvent { Type: string; Time: number; DisplayMessage: string; Message: string; DriverError: string; ExitCode: number; Details: Record<string, string> }
export interface TaskState { State: string; Failed: boolean; Restarts: number; StartedAt: string | null; FinishedAt: string | null; Events: TaskEvent[] }

export interface AllocRecord {
  ID: string; EvalID: string; Name: string; Namespace: string; NodeID: string; NodeName: string; JobID: string; JobVersion: number;
  TaskGroup: string; DesiredStatus: string; DesiredDescription: string; ClientStatus: string; ClientDescription: string;
  TaskStates: Record<string, TaskState>; DeploymentID: string;
  DeploymentStatus: { Healthy: boolean | null; Timestamp: string; Canary: boolean; ModifyIndex: number } | null;
  CreateIndex: number; ModifyIndex: number; CreateTime: number; ModifyTime: number;
}

export const uuid = (): string => randomUUID();
export const rfc3339 = (ms = Date.now()): string => new Date(ms).toISOString();

export class NomadState {
  index = 10;
  readonly jobs = new Map<string, JobJson[]>();
  readonly evals = new Map<string, EvalRecord>();
  readonly deployments = new Map<string, DeploymentRecord>();
  readonly allocs = new Map<string, AllocRecord>();

  bump(): number {
    return ++this.index;
  }

  versions(ns: string, id: string): JobJson[] {
    return this.jobs.get(`${ns}/${id}`) ?? [];
  }

  current(ns: string, id: string): JobJson | undefined {
    return this.versions(ns, id).at(-1);
  }

  addVersion(job: JobJson): void {
    const key = `${job.Namespace}/${job.ID}`;
    this.jobs.set(key, [...(this.jobs.get(key) ?? []), job]);
  }

  /** newest first */
  jobDeployments(ns: string, id: string): DeploymentRecord[] {
    return [...this.deployments.values()].filter((d) => d.Namespace === ns && d.JobID === id).sort((a, b) => b.CreateIndex - a.CreateIndex);
  }

  jobAllocs(ns: string, id: string): AllocRecord[] {
    return [...this.allocs.values()].filter((a) => a.Namespace === ns && a.JobID === id);
  }

  touch<T extends { ModifyIndex: number; ModifyTime?: number }>(record: T): T {
    record.ModifyIndex = this.bump();
    if ('ModifyTime' in record) record.ModifyTime = Date.now() * 1e6;
    return record;
  }
}
