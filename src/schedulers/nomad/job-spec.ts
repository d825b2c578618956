import { createHash } from 'node:crypto';
import { pinnedName } from '../../core/image.ts';
import type { Release } from '../../core/ports/scheduler.ts';
import type { NomadSettings } from './settings.ts';

/** Nomad's JSON jobs count durations in integer nanoseconds. */
const NS_PER_SECOND = 1_000_000_000;
/** How often Nomad runs the HTTP check. */
export const CHECK_INTERVAL_SECONDS = 5;
/** How long one check may take. */
export const CHECK_TIMEOUT_SECONDS = 2;
/** The label of the one port: the network's reserved port, the service's PortLabel. */
export const PORT_LABEL = 'http';

/** The body of `POST /v1/job/:id`, without the check-and-set fields the scheduler adds. */
export interface NomadJobRequest {
  readonly Job: NomadJobSpec;
}

/** The job itself (PascalCase, as Nomad's JSON API takes it); Slipway reads only ID and Meta back. */
export type NomadJobSpec = Readonly<Record<string, unknown>> & {
  readonly ID: string;
  readonly Meta: Readonly<Record<string, string>>;
};

/** The job's ID and name: `nomad.job`, or `<service>-<environment>`. */
export function jobId(release: Pick<Release, 'service' | 'environment'>, settings: Pick<NomadSettings, 'job'>): string {
  return settings.job ?? `${release.service}-${release.environment}`;
}

/**
 * The Nomad job (JSON form, as `POST /v1/job/:id` takes it) that runs a release: a service job
 * with one task group of `count` docker tasks running the pinned image (`repo@sha256:…`, never a
 * tag). Networking: the group reserves the static `port` under the label `http` on each node
 * (so Nomad never places two of them on one node and the service check knows the port), and the
 * task runs on the host network (`network_mode: host`), listening on `$PORT` itself, as with the
 * `docker` scheduler; Docker ignores port publishing on the host network, so `ports` is left out.
 * The group's service (`provider: nomad`, no Consul needed) carries an HTTP check on
 * `health_path`, and the update block gates the rollout on it (`HealthCheck: checks`).
 * Meta records the commit, the build and a fingerprint of everything else in the spec, so a
 * redeploy can tell "already running exactly this" from "same image, other settings". Pure.
 */
export function nomadJob(release: Release, settings: NomadSettings): NomadJobRequest {
  const id = jobId(release, settings);
  const spec = {
    ID: id,
    Name: id,
    Type: 'service',
    Datacenters: settings.datacenters,
    ...(settings.constraints ? { Constraints: settings.constraints.map(constraint) } : {}),
    TaskGroups: [taskGroup(release, settings)],
  };
  const Meta = { git_sha: release.sha, slipway_build: release.buildId, slipway_spec: fingerprint(spec) };
  const { TaskGroups, ...head } = spec;
  return { Job: { ...head, Meta, TaskGroups } };
}

function taskGroup(release: Release, s: NomadSettings): Record<string, unknown> {
  return {
    Name: release.service,
    Count: s.count,
    Networks: [{ Mode: 'host', ReservedPorts: [{ Label: PORT_LABEL, Value: s.port }] }],
    Services: [service(release, s)],
    Update: {
      MaxParallel: s.update.max_parallel,
      HealthCheck: 'checks',
      MinHealthyTime: nanoseconds(s.update.min_healthy_time),
      HealthyDeadline: nanoseconds(s.update.healthy_deadline),
      ProgressDeadline: nanoseconds(s.update.progress_deadline),
      AutoRevert: s.update.auto_revert,
      Canary: s.update.canary,
      AutoPromote: s.update.auto_promote,
    },
    Tasks: [{
      Name: release.service,
      Driver: 'docker',
      Config: { image: pinnedName(release.image), network_mode: 'host' },
      Env: { ...s.env, PORT: String(s.port) },
      Resources: { CPU: s.resources.cpu, MemoryMB: s.resources.memory },
    }],
  };
}

function service(release: Release, s: NomadSettings): Record<string, unknown> {
  return {
    // service names allow only letters, digits and dashes
    Name: `${release.service}-${release.environment}`.replace(/[^A-Za-z0-9-]/g, '-'),
    PortLabel: PORT_LABEL,
    Provider: 'nomad',
    Checks: [{
      Name: 'health',
      Type: 'http',
      Path: s.health_path,
      Interval: nanoseconds(CHECK_INTERVAL_SECONDS),
      Timeout: nanoseconds(CHECK_TIMEOUT_SECONDS),
    }],
  };
}

function constraint(c: NonNullable<NomadSettings['constraints']>[number]): Record<string, string> {
  return { LTarget: c.attribute, RTarget: c.value ?? '', Operand: c.operator };
}

function nanoseconds(seconds: number): number {
  return seconds * NS_PER_SECOND;
}

/** 12 hex digits of SHA-256 over the spec's JSON: the same settings and image give the same value. */
function fingerprint(spec: unknown): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12);
}
