// The emulated cluster behind the HTTP API: registering job versions, processing evaluations,
// starting deployments and ending them (successful, failed with auto-revert, cancelled).
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { startAllocation, type AllocRuntime } from './alloc-runner.ts';
import { placeGroup, type EmulatedNode } from './placement.ts';
import { runRollout, sortedJson, type RolloutEnd } from './rollout.ts';
import { NomadState, rfc3339, uuid, type AllocRecord, type DeploymentRecord, type EvalRecord, type JobJson } from './state.ts';
import { arr, NomadError } from './validate.ts';

const SERVER_FIELDS = ['Version', 'Stable', 'Status', 'StatusDescription', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex'];
const EVAL_DELAY_MS = 25;

export interface RegisterAnswer { EvalID: string; EvalCreateIndex: number; JobModifyIndex: number; Warnings: string; Index: number }

export class Cluster {
  readonly state = new NomadState();
  readonly runners = new Map<string, AllocRuntime>();
  private readonly rollouts = new Map<string, AbortController>();
  private nextNode = 0;
  private closed = false;
  /** while set, evaluations wait before the scheduler's pass (holdEvaluations) */
  private held: { readonly until: Promise<void>; readonly release: () => void } | undefined;

  constructor(private readonly docker: Docker, private readonly nodes: readonly EmulatedNode[], private readonly emulatorId: string) {}

  /** Job.Register after validation: a new version when the spec changed, and an evaluation either way. */
  register(ns: string, job: JobJson, enforce?: { index: number }, trigger = 'job-register'): RegisterAnswer {
    const existing = this.state.current(ns, job.ID);
    if (enforce) checkModifyIndex(existing, enforce.index);
    const changed = !existing || specOf(existing) !== specOf(job);
    let current = existing;
    if (changed || !current) {
      const index = this.state.bump();
      current = {
        ...job, Version: existing ? existing.Version + 1 : 0, Stable: false, Status: 'pending', StatusDescription: '',
        SubmitTime: Date.now() * 1e6, CreateIndex: existing?.CreateIndex ?? index, ModifyIndex: index, JobModifyIndex: index,
      };
      this.state.addVersion(current);
      const why = current.Stop ? 'Cancelled because job is stopped' : 'Cancelled due to newer version of job';
      for (const d of this.state.jobDeployments(ns, job.ID).filter(active)) this.end(d, 'cancelled', why);
    }
    const ev = this.newEval(current, trigger);
    void this.evaluate(ev, changed);
    return { EvalID: ev.ID, EvalCreateIndex: ev.CreateIndex, JobModifyIndex: current.JobModifyIndex, Warnings: '', Index: ev.CreateIndex };
  }

  /** Job.Revert: registers a copy of an older version as the newest one. */
  revert(ns: string, id: string, version: number, enforcePrior: number | undefined): RegisterAnswer {
    const current = this.state.current(ns, id);
    if (!current) throw new NomadError(500, `job "${id}" in namespace "${ns}" not found`);
    if (version === current.Version) throw new NomadError(500, "can't revert to current version");
    if (enforcePrior !== undefined && enforcePrior !== current.Version) {
      throw new NomadError(500, `current job has version ${current.Version}; enforcing version ${enforcePrior}`);
    }
    const target = this.state.versions(ns, id).find((v) => v.Version === version);
    if (!target) throw new NomadError(500, `job "${id}" in namespace "${ns}" at version ${version} not found`);
    return this.register(ns, withoutServerFields(target));
  }

  /** Job.Deregister: stop (a new, stopped version) or purge. */
  deregister(ns: string, id: string, purge: boolean): RegisterAnswer & { VolumeEvalID: string; VolumeEvalIndex: number } {
    const current = this.state.current(ns, id);
    if (!current) throw new NomadError(404, 'job not found');
    const answer = this.register(ns, { ...withoutServerFields(current), Stop: true });
    if (purge) this.state.jobs.delete(`${ns}/${id}`);
    return { ...answer, VolumeEvalID: '', VolumeEvalIndex: 0 };
  }

  /** Deployment.Fail: fails an active deployment (rolling back when it may). */
  fail(id: string): Record<string, unknown> {
    const d = this.deployment(id);
    if (!active(d)) throw new NomadError(500, "can't fail terminal deployment");
    const reverted = this.end(d, 'failed', 'Deployment marked as failed');
    return { EvalID: uuid(), EvalCreateIndex: this.state.index, DeploymentModifyIndex: d.ModifyIndex, RevertedJobVersion: reverted ?? null, Index: this.state.index };
  }

  /** Deployment.Promote: marks canaries promoted once they are all healthy. */
  promote(id: string, all: boolean, groups: string[]): Record<string, unknown> {
    const d = this.deployment(id);
    if (!active(d)) throw new NomadError(500, "can't promote terminal deployment");
    const names = all ? Object.keys(d.TaskGroups).filter((g) => d.TaskGroups[g]!.DesiredCanaries > 0) : groups;
    for (const name of names) {
      const g = d.TaskGroups[name];
      if (!g) throw new NomadError(500, `Deployment does not include task group "${name}"`);
      if (g.HealthyAllocs < g.DesiredCanaries) throw new NomadError(500, `Task group "${name}" has ${g.HealthyAllocs}/${g.DesiredCanaries} healthy allocations`);
    }
    for (const name of names) d.TaskGroups[name]!.Promoted = true;
    this.state.touch(d);
    return { EvalID: uuid(), EvalCreateIndex: this.state.index, DeploymentModifyIndex: d.ModifyIndex, Index: this.state.index };
  }

  deployment(id: string): DeploymentRecord {
    const d = this.state.deployments.get(id);
    if (!d) throw new NomadError(404, 'deployment not found');
    return d;
  }

  /** Where an allocation of the group could go, or the FailedTGAllocs metrics when nowhere. */
  placement(job: JobJson, tg: any) {
    return placeGroup(job, tg, this.nodes, tg.Count);
  }

  /** While on, new and waiting evaluations stay pending: a test can look at one before it is processed. */
  holdEvaluations(on: boolean): void {
    if (on && !this.held) {
      let release!: () => void;
      const until = new Promise<void>((resolve) => (release = resolve));
      this.held = { until, release };
    } else if (!on && this.held) {
      this.held.release();
      this.held = undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.holdEvaluations(false);
    for (const c of this.rollouts.values()) c.abort();
    await Promise.all([...this.runners.values()].map((r) => r.stop('emulator closed')));
  }

  private newEval(job: JobJson, trigger: string, status = 'pending'): EvalRecord {
    const index = this.state.bump();
    const ev: EvalRecord = {
      ID: uuid(), Namespace: job.Namespace, Priority: job.Priority, Type: job.Type, TriggeredBy: trigger, JobID: job.ID, JobModifyIndex: job.JobModifyIndex,
      DeploymentID: '', Status: status, StatusDescription: '', BlockedEval: '', PreviousEval: '', FailedTGAllocs: null, QueuedAllocations: {},
      CreateIndex: index, ModifyIndex: index, CreateTime: Date.now() * 1e6, ModifyTime: Date.now() * 1e6,
    };
    this.state.evals.set(ev.ID, ev);
    return ev;
  }

  /** The scheduler's pass over an evaluation: placement, then a deployment for a changed job. */
  private async evaluate(ev: EvalRecord, changed: boolean): Promise<void> {
    await sleep(EVAL_DELAY_MS);
    while (this.held) await this.held.until;
    if (this.closed) return;
    const job = this.state.current(ev.Namespace, ev.JobID);
    if (job?.Stop) {
      await Promise.all(this.state.jobAllocs(job.Namespace, job.ID).filter((a) => a.DesiredStatus === 'run').map((a) => this.stopAlloc(a, 'alloc not needed due to job update')));
    } else if (job) {
      const failed = Object.fromEntries(arr(job.TaskGroups).map((tg) => [tg.Name, this.placement(job, tg).metric]).filter(([, m]) => m));
      ev.QueuedAllocations = Object.fromEntries(arr(job.TaskGroups).map((tg) => [tg.Name, failed[tg.Name] ? tg.Count : 0]));
      if (Object.keys(failed).length > 0) {
        ev.FailedTGAllocs = failed;
        ev.BlockedEval = Object.assign(this.newEval(job, 'queued-allocs', 'blocked'), { PreviousEval: ev.ID }).ID;
      }
      const latest = this.state.jobDeployments(job.Namespace, job.ID).find((d) => d.JobVersion === job.Version);
      ev.DeploymentID = changed ? this.startDeployment(job).ID : (latest?.ID ?? '');
    }
    ev.Status = 'complete';
    this.state.touch(ev);
  }

  private startDeployment(job: JobJson): DeploymentRecord {
    const index = this.state.bump();
    const groups = Object.fromEntries(arr(job.TaskGroups).map((tg) => [tg.Name, {
      AutoRevert: tg.Update.AutoRevert, AutoPromote: tg.Update.AutoPromote, Promoted: false, ProgressDeadline: tg.Update.ProgressDeadline,
      RequireProgressBy: rfc3339(Date.now() + tg.Update.ProgressDeadline / 1e6), DesiredCanaries: 0, PlacedCanaries: null,
      DesiredTotal: tg.Count, PlacedAllocs: 0, HealthyAllocs: 0, UnhealthyAllocs: 0,
    }]));
    const canaries = arr(job.TaskGroups).some((tg) => tg.Update.Canary > 0 && this.state.jobAllocs(job.Namespace, job.ID).some((a) => a.TaskGroup === tg.Name && a.ClientStatus === 'running'));
    for (const tg of arr(job.TaskGroups)) if (canaries) groups[tg.Name]!.DesiredCanaries = tg.Update.Canary;
    const d: DeploymentRecord = {
      ID: uuid(), Namespace: job.Namespace, JobID: job.ID, JobVersion: job.Version, JobModifyIndex: job.JobModifyIndex, JobSpecModifyIndex: job.JobModifyIndex,
      JobCreateIndex: job.CreateIndex, IsMultiregion: false, Status: 'running',
      StatusDescription: canaries && arr(job.TaskGroups).some((tg) => tg.Update.AutoPromote) ? 'Deployment is running pending automatic promotion' : 'Deployment is running',
      TaskGroups: groups, EvalPriority: job.Priority, CreateIndex: index, ModifyIndex: index, CreateTime: Date.now() * 1e6, ModifyTime: Date.now() * 1e6,
    };
    this.state.deployments.set(d.ID, d);
    const controller = new AbortController();
    this.rollouts.set(d.ID, controller);
    const ctx = { state: this.state, runners: this.runners, place: this.placeAlloc.bind(this), stop: this.stopAlloc.bind(this) };
    runRollout(ctx, d, job, controller.signal).then(
      (end: RolloutEnd) => active(d) && this.end(d, end.status, end.status === 'failed' ? end.description : 'Deployment completed successfully'),
      () => undefined, // aborted: whoever aborted it has ended it
    );
    return d;
  }

  /**
   * Ends a deployment. Successful → its job version becomes stable. Failed → with AutoRevert, the
   * newest stable version (if its spec differs) is registered again; returns that version.
   */
  private end(d: DeploymentRecord, status: 'successful' | 'failed' | 'cancelled', description: string): number | undefined {
    this.rollouts.get(d.ID)?.abort();
    this.rollouts.delete(d.ID);
    const job = this.state.current(d.Namespace, d.JobID);
    let target: JobJson | undefined;
    let suffix = '';
    if (status === 'successful') {
      for (const v of this.state.versions(d.Namespace, d.JobID)) if (v.Version === d.JobVersion) v.Stable = true;
    } else if (status === 'failed' && job?.Version === d.JobVersion && Object.values(d.TaskGroups).some((g) => g.AutoRevert)) {
      const stable = this.state.versions(d.Namespace, d.JobID).filter((v) => v.Stable && v.Version !== job.Version).at(-1);
      if (!stable) suffix = ' - no stable job version to auto revert to';
      else if (specOf(stable) === specOf(job)) suffix = ` - not rolling back to stable job version ${stable.Version} as current job has same specification`;
      else [target, suffix] = [stable, ` - rolling back to job version ${stable.Version}`];
    }
    Object.assign(this.state.touch(d), { Status: status, StatusDescription: `${description}${suffix}` });
    if (target) this.register(d.Namespace, withoutServerFields(target), undefined, 'deployment-watcher');
    return target?.Version;
  }

  private async placeAlloc(job: JobJson, tg: any, d: DeploymentRecord, canary: boolean): Promise<AllocRuntime | undefined> {
    const { nodes } = this.placement(job, tg);
    const node = nodes[this.nextNode++ % Math.max(1, nodes.length)];
    if (!node || this.closed) return undefined;
    const index = this.state.bump();
    const count = this.state.jobAllocs(job.Namespace, job.ID).filter((a) => a.TaskGroup === tg.Name).length;
    const alloc: AllocRecord = {
      ID: uuid(), EvalID: '', Name: `${job.ID}.${tg.Name}[${count % tg.Count}]`, Namespace: job.Namespace, NodeID: node.ID, NodeName: node.Name,
      JobID: job.ID, JobVersion: job.Version, TaskGroup: tg.Name, DesiredStatus: 'run', DesiredDescription: '', ClientStatus: 'pending', ClientDescription: '',
      TaskStates: {}, DeploymentID: d.ID, DeploymentStatus: canary ? { Healthy: null, Timestamp: rfc3339(), Canary: true, ModifyIndex: index } : null,
      CreateIndex: index, ModifyIndex: index, CreateTime: Date.now() * 1e6, ModifyTime: Date.now() * 1e6,
    };
    this.state.allocs.set(alloc.ID, alloc);
    const runtime = await startAllocation({ docker: this.docker, state: this.state, emulatorId: this.emulatorId }, alloc, job, tg);
    this.runners.set(alloc.ID, runtime);
    if (this.closed) await runtime.stop('emulator closed'); // closed while it was being placed
    return runtime;
  }

  private async stopAlloc(alloc: AllocRecord, description: string): Promise<void> {
    const runtime = this.runners.get(alloc.ID);
    if (runtime) await runtime.stop(description);
    else Object.assign(this.state.touch(alloc), { DesiredStatus: 'stop', DesiredDescription: description });
  }
}

function checkModifyIndex(existing: JobJson | undefined, index: number): void {
  const prefix = 'Enforcing job modify index';
  if (!existing && index !== 0) throw new NomadError(500, `${prefix} ${index}: job does not exist`);
  if (existing && index === 0) throw new NomadError(500, `${prefix} 0: job already exists`);
  if (existing && index !== existing.JobModifyIndex) {
    throw new NomadError(500, `${prefix} ${index}: job exists with conflicting job modify index: ${existing.JobModifyIndex}`);
  }
}

export function active(d: DeploymentRecord): boolean {
  return ['running', 'paused', 'pending', 'blocked', 'unblocking', 'initializing'].includes(d.Status);
}

function withoutServerFields(job: JobJson): JobJson {
  return Object.fromEntries(Object.entries(job).filter(([k]) => !SERVER_FIELDS.includes(k)));
}

/** The job as its author wrote it (for "did the spec change?"). */
function specOf(job: JobJson): string {
  return sortedJson(withoutServerFields(job));
}
