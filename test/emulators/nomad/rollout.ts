// A deployment's rollout, as Nomad's scheduler and deployment watcher run it for one job version:
// allocations whose tasks did not change are updated in place; the rest are replaced in batches of
// MaxParallel (after canaries, when there are some), each new allocation judged healthy once its
// checks have passed for MinHealthyTime, unhealthy when it dies or HealthyDeadline passes. An old
// allocation stops only once a new one is healthy. No progress by the progress deadline fails it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AllocRuntime } from './alloc-runner.ts';
import { addEvent } from './alloc-runner.ts';
import { goDuration } from './go-text.ts';
import { rfc3339, type AllocRecord, type DeploymentGroup, type DeploymentRecord, type JobJson, type NomadState } from './state.ts';
import { arr } from './validate.ts';

const TICK_MS = 100;

export interface RolloutContext {
  readonly state: NomadState;
  readonly runners: ReadonlyMap<string, AllocRuntime>;
  /** places one allocation of the group for the deployment; undefined when no node can take it */
  place(job: JobJson, tg: any, deployment: DeploymentRecord, canary: boolean): Promise<AllocRuntime | undefined>;
  stop(alloc: AllocRecord, description: string): Promise<void>;
}

/** How a rollout ended on its own (a cancelled or user-failed one is aborted instead). */
export type RolloutEnd = { readonly status: 'successful' } | { readonly status: 'failed'; readonly description: string };

/** Runs the deployment to its end; rejects with an AbortError when `signal` aborts. */
export async function runRollout(ctx: RolloutContext, d: DeploymentRecord, job: JobJson, signal: AbortSignal): Promise<RolloutEnd> {
  const groups = arr(job.TaskGroups).map((tg) => rollGroup(ctx, d, job, tg, signal));
  const progress = progressDeadline(d, signal);
  const ends = await Promise.race([Promise.all(groups), progress]);
  if (ends === 'progress') return { status: 'failed', description: 'Failed due to progress deadline' };
  if (ends.includes('unhealthy')) return { status: 'failed', description: 'Failed due to unhealthy allocations' };
  return { status: 'successful' };
}

/** Same tasks, networks and job meta: Nomad would update such an allocation in place. */
export function sameTasks(a: JobJson | undefined, b: JobJson, group: string): boolean {
  const part = (j: JobJson | undefined) => {
    const tg = arr(j?.TaskGroups).find((g) => g.Name === group);
    return sortedJson({ meta: j?.Meta ?? null, tasks: tg?.Tasks ?? null, networks: tg?.Networks ?? null });
  };
  return a !== undefined && part(a) === part(b);
}

export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y))) : v));
}

async function rollGroup(ctx: RolloutContext, d: DeploymentRecord, job: JobJson, tg: any, signal: AbortSignal): Promise<'done' | 'unhealthy'> {
  const st = d.TaskGroups[tg.Name]!;
  const versionOf = (a: AllocRecord) => ctx.state.versions(job.Namespace, job.ID).find((v) => v.Version === a.JobVersion);
  const others = ctx.state.jobAllocs(job.Namespace, job.ID).filter((a) => a.TaskGroup === tg.Name && a.DesiredStatus === 'run' && a.DeploymentID !== d.ID);
  const adopted = others.filter((a) => a.ClientStatus === 'running' && sameTasks(versionOf(a), job, tg.Name)).slice(0, tg.Count);
  const old = others.filter((a) => !adopted.includes(a));
  for (const a of adopted) Object.assign(ctx.state.touch(a), { JobVersion: d.JobVersion, DeploymentID: d.ID, DeploymentStatus: null });
  st.PlacedAllocs = adopted.length;
  const runtimes = (allocs: AllocRecord[]) => allocs.map((a) => ctx.runners.get(a.ID)).filter((r): r is AllocRuntime => !!r);
  if (!(await allHealthy(ctx, d, st, tg.Update, runtimes(adopted), signal))) return 'unhealthy';
  let healthy = adopted.length;
  const place = async (n: number, canary: boolean) => {
    const placed: AllocRuntime[] = [];
    for (let i = 0; i < n; i++) placed.push((await ctx.place(job, tg, d, canary)) ?? (await blocked(signal)));
    st.PlacedAllocs += n;
    return placed;
  };
  if (tg.Update.Canary > 0 && healthy < tg.Count && old.some((a) => a.ClientStatus === 'running')) {
    const canaries = await place(tg.Update.Canary, true);
    st.PlacedCanaries = canaries.map((c) => c.alloc.ID);
    if (!(await allHealthy(ctx, d, st, tg.Update, canaries, signal))) return 'unhealthy';
    await promotion(ctx, d, st, signal);
    healthy += canaries.length;
    await stopOld(ctx, old, canaries.length);
  }
  while (healthy < tg.Count) {
    const batch = await place(Math.min(tg.Update.MaxParallel || tg.Count, tg.Count - healthy), false);
    if (!(await allHealthy(ctx, d, st, tg.Update, batch, signal))) return 'unhealthy';
    healthy += batch.length;
    await stopOld(ctx, old, batch.length);
  }
  await stopOld(ctx, old, old.length);
  return 'done';
}

async function stopOld(ctx: RolloutContext, old: AllocRecord[], n: number): Promise<void> {
  for (const alloc of old.splice(0, n)) await ctx.stop(alloc, 'alloc is being updated due to job update');
}

/** Resolves true once every allocation is healthy, false as soon as one is not. */
function allHealthy(ctx: RolloutContext, d: DeploymentRecord, st: DeploymentGroup, update: any, rts: AllocRuntime[], signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let left = rts.length;
    if (left === 0) resolve(true);
    for (const rt of rts) {
      health(ctx, d, st, update, rt, signal).then((ok) => (ok ? --left === 0 && resolve(true) : resolve(false)), reject);
    }
  });
}

/** The client's health watcher for one allocation in one deployment; records the verdict. */
async function health(ctx: RolloutContext, d: DeploymentRecord, st: DeploymentGroup, u: any, rt: AllocRuntime, signal: AbortSignal): Promise<boolean> {
  const started = Date.now();
  const minMs = u.MinHealthyTime / 1e6;
  let verdict: boolean | undefined;
  let why = '';
  while (verdict === undefined) {
    signal.throwIfAborted();
    const since = u.HealthCheck === 'task_states' ? rt.startedAt : rt.passingSince;
    if (rt.dead) [verdict, why] = [false, 'Unhealthy because of failed task'];
    else if (u.HealthCheck !== 'manual' && since !== undefined && Date.now() - since >= minMs) verdict = true;
    else if (Date.now() - started >= u.HealthyDeadline / 1e6) {
      why = u.HealthCheck === 'checks' && rt.startedAt !== undefined ? 'Services not healthy by deadline'
        : `Task not running for min_healthy_time of ${goDuration(u.MinHealthyTime)} by healthy_deadline of ${goDuration(u.HealthyDeadline)}`;
      verdict = false;
    } else await sleep(TICK_MS, undefined, { signal });
  }
  const canary = st.PlacedCanaries?.includes(rt.alloc.ID) ?? false;
  rt.alloc.DeploymentStatus = { Healthy: verdict, Timestamp: rfc3339(), Canary: canary, ModifyIndex: ctx.state.index + 1 };
  if (!verdict) addEvent(ctx, rt.alloc, Object.keys(rt.alloc.TaskStates)[0] ?? 'task', { Type: 'Alloc Unhealthy', DisplayMessage: why });
  ctx.state.touch(rt.alloc);
  if (verdict) {
    st.HealthyAllocs++;
    st.RequireProgressBy = rfc3339(Date.now() + st.ProgressDeadline / 1e6);
  } else st.UnhealthyAllocs++;
  ctx.state.touch(d);
  return verdict;
}

/** Canaries are healthy: promoted at once with AutoPromote, else when someone promotes them. */
async function promotion(ctx: RolloutContext, d: DeploymentRecord, st: DeploymentGroup, signal: AbortSignal): Promise<void> {
  if (st.AutoPromote) st.Promoted = true;
  else d.StatusDescription = 'Deployment is running but requires manual promotion';
  ctx.state.touch(d);
  while (!st.Promoted) await sleep(TICK_MS, undefined, { signal });
  d.StatusDescription = 'Deployment is running';
  ctx.state.touch(d);
}

/** No node can take the allocation: the deployment waits (a blocked evaluation) until it ends. */
function blocked(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.throwIfAborted();
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Resolves 'progress' when a group still rolling out has passed its RequireProgressBy. */
async function progressDeadline(d: DeploymentRecord, signal: AbortSignal): Promise<'progress'> {
  for (;;) {
    await sleep(TICK_MS, undefined, { signal });
    const late = Object.values(d.TaskGroups).some((g) => g.ProgressDeadline > 0 && g.HealthyAllocs < g.DesiredTotal && Date.now() > Date.parse(g.RequireProgressBy));
    if (late) return 'progress';
  }
}
