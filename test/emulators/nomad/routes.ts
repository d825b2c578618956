// Nomad's HTTP API paths the emulator answers, each as Nomad's agent handles it: method (405),
// body decoding (400), then the server side (ACL 403, validation and other errors 500, 404s).
import type { IncomingMessage } from 'node:http';
import { active, type Cluster } from './cluster.ts';
import { sameTasks } from './rollout.ts';
import type { AllocRecord, JobJson } from './state.ts';
import { canonicalize, checkDurationTypes, decodeBody, NomadError, validateJob } from './validate.ts';

/** One request, and what the handlers may ask of the server around them. */
export interface Call {
  readonly req: IncomingMessage;
  readonly raw: string;
  readonly query: URLSearchParams;
  readonly namespace: string;
  readonly cluster: Cluster;
  /** throws 403 unless the request carries the configured ACL token (none configured: anyone) */
  authorize(): void;
  /** the next register's injected failure or hook, if any */
  beforeRegister(): Promise<void>;
  knownNamespace(ns: string): boolean;
  readonly region: string;
}

type Handler = (call: Call, id: string) => unknown;
type Route = readonly [RegExp, Readonly<Record<string, Handler>>];

const writes = (h: Handler) => ({ PUT: h, POST: h });

export const ROUTES: readonly Route[] = [
  [/^\/v1\/agent\/self$/, { GET: (c) => read(c, () => ({ config: { Region: c.region, Version: { Version: '1.9.7', VersionPrerelease: '' } }, member: { Name: 'nomad-emulator.global' } })) }],
  [/^\/v1\/jobs$/, { GET: listJobs, ...writes((c) => register(c, '')) }],
  [/^\/v1\/job\/([^/]+)\/plan$/, writes(plan)],
  [/^\/v1\/job\/([^/]+)\/versions$/, { GET: versions }],
  [/^\/v1\/job\/([^/]+)\/deployments$/, { GET: (c, id) => read(c, () => c.cluster.state.jobDeployments(c.namespace, id)) }],
  [/^\/v1\/job\/([^/]+)\/deployment$/, { GET: (c, id) => read(c, () => c.cluster.state.jobDeployments(c.namespace, id)[0] ?? null) }],
  [/^\/v1\/job\/([^/]+)\/allocations$/, { GET: (c, id) => read(c, () => allocStubs(c.cluster.state.jobAllocs(c.namespace, id))) }],
  [/^\/v1\/job\/([^/]+)\/evaluations$/, { GET: (c, id) => read(c, () => [...c.cluster.state.evals.values()].filter((e) => e.Namespace === c.namespace && e.JobID === id)) }],
  [/^\/v1\/job\/([^/]+)\/revert$/, writes(revert)],
  [/^\/v1\/job\/([^/]+)$/, { GET: getJob, ...writes(register), DELETE: deregister }],
  [/^\/v1\/deployment\/fail\/([^/]+)$/, writes((c, id) => (c.authorize(), c.cluster.fail(id)))],
  [/^\/v1\/deployment\/promote\/([^/]+)$/, writes(promote)],
  [/^\/v1\/deployment\/allocations\/([^/]+)$/, { GET: (c, id) => read(c, () => allocStubs([...c.cluster.state.allocs.values()].filter((a) => a.DeploymentID === id))) }],
  [/^\/v1\/deployment\/([^/]+)$/, { GET: (c, id) => read(c, () => c.cluster.deployment(id)) }],
  [/^\/v1\/deployments$/, { GET: (c) => read(c, () => [...c.cluster.state.deployments.values()].filter((d) => d.Namespace === c.namespace)) }],
  [/^\/v1\/evaluation\/([^/]+)$/, { GET: (c, id) => read(c, () => c.cluster.state.evals.get(id) ?? notFound('eval not found')) }],
  [/^\/v1\/allocation\/([^/]+)$/, { GET: (c, id) => read(c, () => c.cluster.state.allocs.get(id) ?? notFound('alloc not found')) }],
];

function read(call: Call, answer: () => unknown): unknown {
  call.authorize();
  return answer();
}

function notFound(text: string): never {
  throw new NomadError(404, text);
}

function listJobs(call: Call): unknown {
  call.authorize();
  return [...call.cluster.state.jobs.values()].map((v) => jobView(call, v.at(-1)!)).filter((j) => j.Namespace === call.namespace)
    .map((j) => ({ ID: j.ID, Name: j.Name, Namespace: j.Namespace, Type: j.Type, Priority: j.Priority, Status: j.Status, Stop: j.Stop, Version: j.Version, JobModifyIndex: j.JobModifyIndex, ModifyIndex: j.ModifyIndex }));
}

function getJob(call: Call, id: string): unknown {
  call.authorize();
  const job = call.cluster.state.current(call.namespace, id);
  return job ? jobView(call, job) : notFound('job not found');
}

function versions(call: Call, id: string): unknown {
  call.authorize();
  const all = call.cluster.state.versions(call.namespace, id);
  if (all.length === 0) notFound('job versions not found');
  return { Versions: [...all].reverse(), Diffs: null, Index: call.cluster.state.index };
}

/** A submitted job, decoded (400), authorized (403), checked against the path (400) and validated (500). */
function submitted(call: Call, pathId: string, mismatch: string): { body: Record<string, any>; job: JobJson } {
  const body = decodeBody(call.raw);
  if (body.Job && typeof body.Job === 'object') checkDurationTypes(body.Job); // part of decoding the body
  if (!body.Job) throw new NomadError(400, 'Job must be specified');
  if (!body.Job.ID) throw new NomadError(400, mismatch === 'Job ID does not match' ? 'Job must have a valid ID' : "Job ID hasn't been provided");
  if (pathId && body.Job.ID !== pathId) throw new NomadError(400, mismatch);
  call.authorize();
  const ns = call.query.get('namespace') || body.Job.Namespace || 'default';
  if (!call.knownNamespace(ns)) throw new NomadError(500, `job "${body.Job.ID}" is in nonexistent namespace "${ns}"`);
  const job = canonicalize(body.Job, ns, call.region);
  validateJob(job);
  return { body, job };
}

async function register(call: Call, pathId: string): Promise<unknown> {
  const { body, job } = submitted(call, pathId, 'Job ID does not match name');
  await call.beforeRegister();
  return call.cluster.register(job.Namespace, job, body.EnforceIndex ? { index: Number(body.JobModifyIndex ?? 0) } : undefined);
}

function plan(call: Call, pathId: string): unknown {
  const { body, job } = submitted(call, pathId, 'Job ID does not match');
  const state = call.cluster.state;
  const existing = state.current(job.Namespace, job.ID);
  const updates: Record<string, Record<string, number>> = {};
  const failed: Record<string, unknown> = {};
  for (const tg of job.TaskGroups) {
    const running = state.jobAllocs(job.Namespace, job.ID).filter((a) => a.TaskGroup === tg.Name && a.DesiredStatus === 'run' && a.ClientStatus !== 'failed');
    const current = existing ? running.length : 0;
    const changed = !existing || !sameTasks(existing, job, tg.Name);
    const replace = changed ? Math.min(current, tg.Count) : 0;
    const place = Math.max(0, tg.Count - current);
    updates[tg.Name] = {
      Ignore: changed ? 0 : Math.min(current, tg.Count), Place: place, Migrate: 0, Stop: Math.max(0, current - tg.Count),
      InPlaceUpdate: 0, DestructiveUpdate: replace, Canary: replace > 0 ? tg.Update?.Canary ?? 0 : 0, Preemptions: 0,
    };
    const metric = call.cluster.placement(job, tg).metric;
    if (metric && (place > 0 || replace > 0)) failed[tg.Name] = metric;
  }
  const diff = body.Diff ? { Type: existing ? 'Edited' : 'Added', ID: job.ID, Fields: null, Objects: null, TaskGroups: null } : null;
  return {
    Annotations: { DesiredTGUpdates: updates, PreemptedAllocs: null }, FailedTGAllocs: Object.keys(failed).length ? failed : null,
    JobModifyIndex: existing?.JobModifyIndex ?? 0, CreatedEvals: null, Diff: diff, NextPeriodicLaunch: '0001-01-01T00:00:00Z', Warnings: '', Index: state.index,
  };
}

function revert(call: Call, id: string): unknown {
  const body = decodeBody(call.raw);
  if (!body.JobID) throw new NomadError(400, 'JobID must be specified');
  if (body.JobID !== id) throw new NomadError(400, 'Job ID does not match');
  call.authorize();
  const prior = body.EnforcePriorVersion === undefined || body.EnforcePriorVersion === null ? undefined : Number(body.EnforcePriorVersion);
  return call.cluster.revert(call.namespace, id, Number(body.JobVersion ?? 0), prior);
}

function deregister(call: Call, id: string): unknown {
  call.authorize();
  return call.cluster.deregister(call.namespace, id, call.query.get('purge') === 'true');
}

function promote(call: Call, id: string): unknown {
  const body = decodeBody(call.raw);
  if (!body.DeploymentID) throw new NomadError(400, 'DeploymentID must be specified');
  if (body.DeploymentID !== id) throw new NomadError(400, 'Deployment ID does not match');
  call.authorize();
  return call.cluster.promote(id, body.All === true, Array.isArray(body.Groups) ? body.Groups : []);
}

/** The job as GET returns it: the stored version with its live status. */
function jobView(call: Call, job: JobJson): JobJson {
  const allocs = call.cluster.state.jobAllocs(job.Namespace, job.ID).filter((a) => a.DesiredStatus === 'run');
  const running = allocs.some((a) => a.ClientStatus === 'running');
  const deploying = call.cluster.state.jobDeployments(job.Namespace, job.ID).some(active);
  const status = job.Stop ? (running ? 'running' : 'dead') : running ? 'running' : deploying || allocs.length > 0 || !job.Stable ? 'pending' : 'dead';
  return { ...job, Status: status };
}

const DESCRIPTIONS: Record<string, string> = {
  pending: 'No tasks have started', running: 'Tasks are running', failed: 'Failed tasks', complete: 'All tasks have completed',
};

function allocStubs(allocs: AllocRecord[]): unknown[] {
  return allocs.map((a) => ({
    ...a, JobType: 'service', ClientDescription: DESCRIPTIONS[a.ClientStatus] ?? '', FollowupEvalID: '', RescheduleTracker: null,
  }));
}
