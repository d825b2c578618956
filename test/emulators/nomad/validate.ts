// What Nomad checks about a submitted job, in the order and words it uses: the HTTP layer's JSON
// decoding (400), then Job.Validate in the server (500, a go-multierror list), then defaults.
import { goDuration, multierror, syntaxError, unmarshalError } from './go-text.ts';
import type { JobJson } from './state.ts';

/** An HTTP error answer: plain text, as Nomad sends it. */
export class NomadError extends Error {
  constructor(readonly status: number, text: string) {
    super(text);
  }
}

/** Duration fields (Go time.Duration: integer nanoseconds) by Go struct name. */
const DURATIONS: Record<string, string[]> = {
  UpdateStrategy: ['Stagger', 'MinHealthyTime', 'HealthyDeadline', 'ProgressDeadline'],
  ServiceCheck: ['Interval', 'Timeout'],
  RestartPolicy: ['Interval', 'Delay'],
  ReschedulePolicy: ['Interval', 'Delay', 'MaxDelay'],
  MigrateStrategy: ['MinHealthyTime', 'HealthyDeadline'],
  TaskGroup: ['ShutdownDelay', 'StopAfterClientDisconnect'],
  Task: ['KillTimeout', 'ShutdownDelay'],
};

/** Parses a request body as encoding/json would into api.JobRegisterRequest; 400 when it cannot. */
export function decodeBody(raw: string): Record<string, any> {
  if (raw === '') throw new NomadError(400, 'Request body is empty');
  const problem = syntaxError(raw);
  if (problem) throw new NomadError(400, problem);
  const body = JSON.parse(raw);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new NomadError(400, `json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type api.JobRegisterRequest`);
  }
  return body;
}

/** 400 for a duration sent as a string (`"10s"`) or a fraction: the JSON API takes integer nanoseconds. */
export function checkDurationTypes(job: JobJson): void {
  const check = (obj: any, struct: string, path: string) => {
    if (!obj || typeof obj !== 'object') return;
    for (const field of DURATIONS[struct] ?? []) {
      const v = obj[field];
      if (v !== undefined && v !== null && !(typeof v === 'number' && Number.isInteger(v))) {
        throw new NomadError(400, unmarshalError(v, `${struct}.${path}.${field}`, 'time.Duration'));
      }
    }
  };
  check(job.Update, 'UpdateStrategy', 'Job.Update');
  for (const tg of arr(job.TaskGroups)) {
    check(tg, 'TaskGroup', 'Job.TaskGroups');
    check(tg.Update, 'UpdateStrategy', 'Job.TaskGroups.Update');
    check(tg.RestartPolicy, 'RestartPolicy', 'Job.TaskGroups.RestartPolicy');
    check(tg.ReschedulePolicy, 'ReschedulePolicy', 'Job.TaskGroups.ReschedulePolicy');
    check(tg.Migrate, 'MigrateStrategy', 'Job.TaskGroups.Migrate');
    for (const s of arr(tg.Services)) for (const c of arr(s.Checks)) check(c, 'ServiceCheck', 'Job.TaskGroups.Services.Checks');
    for (const t of arr(tg.Tasks)) {
      check(t, 'Task', 'Job.TaskGroups.Tasks');
      for (const s of arr(t.Services)) for (const c of arr(s.Checks)) check(c, 'ServiceCheck', 'Job.TaskGroups.Tasks.Services.Checks');
    }
  }
}

export const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** Nomad's defaults for what a job left out (api.Job.Canonicalize and the server's defaults). */
export function canonicalize(job: JobJson, namespace: string, region: string): JobJson {
  const out: JobJson = {
    Region: region, Namespace: namespace, Type: 'service', Priority: 50, AllAtOnce: false, Datacenters: ['*'], NodePool: 'default',
    Constraints: null, Affinities: null, Spreads: null, Meta: null, Stop: false, ...structuredClone(job),
  };
  out.Name ??= out.ID;
  out.Namespace = namespace;
  out.TaskGroups = arr(out.TaskGroups).map((tg) => ({
    Count: 1, Constraints: null, Networks: null, Services: null, ...tg,
    Update: out.Type === 'service' ? { ...DEFAULT_UPDATE, ...(out.Update ?? {}), ...(tg.Update ?? {}) } : null,
    Tasks: arr(tg.Tasks).map((t) => ({ Env: null, Constraints: null, Config: {}, ...t, Resources: { CPU: 100, MemoryMB: 300, ...(t.Resources ?? {}) } })),
  }));
  return out;
}

const DEFAULT_UPDATE = {
  Stagger: 30e9, MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10e9, HealthyDeadline: 300e9, ProgressDeadline: 600e9,
  AutoRevert: false, AutoPromote: false, Canary: 0,
};

/** Job.Validate, the parts a service job of this project can get wrong: 500 with a multierror list. */
export function validateJob(job: JobJson): void {
  const errors: string[] = [];
  if (!job.ID) errors.push('Missing job ID');
  else if (/\s/.test(job.ID)) errors.push('Job ID contains a space');
  if (!['service', 'batch', 'system', 'sysbatch'].includes(job.Type)) errors.push(`Invalid job type: "${job.Type}"`);
  if (arr(job.Datacenters).length === 0) errors.push('Missing job datacenters');
  if (arr(job.TaskGroups).length === 0) errors.push('Missing job task groups');
  for (const [i, tg] of arr(job.TaskGroups).entries()) {
    const problems = groupProblems(tg);
    if (problems.length > 0) errors.push(`Task group ${tg.Name ?? `${i + 1}`} validation failed: ${multierror(problems)}`);
  }
  if (errors.length > 0) throw new NomadError(500, multierror(errors));
}

function groupProblems(tg: any): string[] {
  const errors: string[] = [];
  if (!tg.Name) errors.push('Missing task group name');
  if (typeof tg.Count !== 'number' || tg.Count < 0) errors.push("Task group count can't be negative");
  if (arr(tg.Tasks).length === 0) errors.push('Missing tasks for task group');
  if (tg.Update) errors.push(...updateProblems(tg.Update));
  const labels = new Set(arr(tg.Networks).flatMap((n) => [...arr(n.ReservedPorts), ...arr(n.DynamicPorts)]).map((p) => p.Label));
  if (arr(tg.Networks).length > 1) errors.push('Only one network resource is allowed');
  for (const port of arr(tg.Networks).flatMap((n) => arr(n.ReservedPorts))) {
    if (!(port.Value >= 1 && port.Value <= 65535)) errors.push(`Port "${port.Label}" must be between 1 and 65535: ${port.Value}`);
  }
  for (const service of arr(tg.Services)) errors.push(...serviceProblems(service, labels));
  for (const task of arr(tg.Tasks)) {
    const problems = taskProblems(task);
    if (problems.length > 0) errors.push(`Task ${task.Name ?? '(unnamed)'} validation failed: ${multierror(problems)}`);
  }
  return errors;
}

/** UpdateStrategy.Validate, word for word (nomad/structs/structs.go). */
function updateProblems(u: any): string[] {
  const e: string[] = [];
  if (!['checks', 'task_states', 'manual'].includes(u.HealthCheck)) e.push(`Invalid health check given: "${u.HealthCheck}"`);
  if (u.MaxParallel < 0) e.push(`Max parallel can not be less than zero: ${u.MaxParallel} < 0`);
  if (u.Canary < 0) e.push(`Canary count can not be less than zero: ${u.Canary} < 0`);
  if (u.Canary === 0 && u.AutoPromote) e.push('Auto Promote requires a Canary count greater than zero');
  if (u.MinHealthyTime < 0) e.push(`Minimum healthy time may not be less than zero: ${goDuration(u.MinHealthyTime)}`);
  if (u.HealthyDeadline <= 0) e.push(`Healthy deadline must be greater than zero: ${goDuration(u.HealthyDeadline)}`);
  if (u.ProgressDeadline < 0) e.push(`Progress deadline must be zero or greater: ${goDuration(u.ProgressDeadline)}`);
  if (u.MinHealthyTime >= u.HealthyDeadline) {
    e.push(`Minimum healthy time must be less than healthy deadline: ${goDuration(u.MinHealthyTime)} > ${goDuration(u.HealthyDeadline)}`);
  }
  if (u.ProgressDeadline !== 0 && u.HealthyDeadline >= u.ProgressDeadline) {
    e.push(`Healthy deadline must be less than progress deadline: ${goDuration(u.HealthyDeadline)} > ${goDuration(u.ProgressDeadline)}`);
  }
  if (u.Stagger <= 0) e.push(`Stagger must be greater than zero: ${goDuration(u.Stagger)}`);
  return e;
}

function serviceProblems(service: any, labels: Set<string>): string[] {
  const e: string[] = [];
  if (service.PortLabel && !labels.has(service.PortLabel)) {
    e.push(`Port label "${service.PortLabel}" referenced by services ${service.Name} does not exist`);
  }
  for (const check of arr(service.Checks)) {
    const problem = checkProblem(check);
    if (problem) e.push(`Service ${service.Name} check ${check.Name} invalid: ${problem}`);
  }
  return e;
}

function checkProblem(c: any): string | undefined {
  if (c.Type === 'http' && !c.Path) return 'http type must have http path';
  if (!c.Interval) return 'missing required value interval. Interval cannot be less than 1s';
  if (c.Interval < 1e9) return `interval (${goDuration(c.Interval)}) cannot be lower than 1s`;
  if (!c.Timeout) return 'missing required value timeout. Timeout cannot be less than 1s';
  if (c.Timeout < 1e9) return `timeout (${goDuration(c.Timeout)}) is lower than required minimum timeout 1s`;
  return undefined;
}

function taskProblems(task: any): string[] {
  const e: string[] = [];
  if (!task.Name) e.push('Missing task name');
  if (!task.Driver) e.push('Missing task driver');
  if (task.Driver === 'docker' && typeof task.Config?.image !== 'string') e.push('Missing image in docker driver config');
  if (task.Resources.CPU < 1) e.push(`minimum CPU value is 1; got ${task.Resources.CPU}`);
  if (task.Resources.MemoryMB < 10) e.push(`minimum MemoryMB value is 10; got ${task.Resources.MemoryMB}`);
  return e;
}
