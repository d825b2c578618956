import type { NomadClient } from './nomad-client.ts';
import type { NomadJobSpec } from './job-spec.ts';
import type {
  AllocationStub, DeploymentUpdateResponse, NomadDeployment, NomadEvaluation, NomadJob, NomadJobVersions, PlanResponse, RegisterResponse,
} from './nomad-types.ts';

/** The Nomad endpoints a rollout uses, typed. Every call may throw the client's SlipwayErrors. */
export interface NomadApi {
  /** the job, or undefined when Nomad has none by that ID */
  job(id: string): Promise<NomadJob | undefined>;
  versions(id: string): Promise<readonly NomadJob[]>;
  /** the job's most recent deployment, or undefined */
  latestDeployment(id: string): Promise<NomadDeployment | undefined>;
  /** the job's deployments, newest first */
  deployments(id: string): Promise<readonly NomadDeployment[]>;
  plan(job: NomadJobSpec): Promise<PlanResponse>;
  /** check-and-set register: only if the job's JobModifyIndex is still `modifyIndex` (0: only if new) */
  register(job: NomadJobSpec, modifyIndex: number): Promise<RegisterResponse>;
  evaluation(id: string): Promise<NomadEvaluation>;
  deployment(id: string): Promise<NomadDeployment>;
  promote(deploymentId: string): Promise<DeploymentUpdateResponse>;
  fail(deploymentId: string): Promise<DeploymentUpdateResponse>;
  /** registers a copy of `version` as a new version, unless the job moved on from `prior` */
  revert(id: string, version: number, prior: number): Promise<unknown>;
  stop(id: string): Promise<unknown>;
  allocations(id: string): Promise<readonly AllocationStub[]>;
}

/** The typed endpoints over a NomadClient (job IDs are path-escaped). */
export function createNomadApi(client: NomadClient): NomadApi {
  const job = (id: string) => `/job/${encodeURIComponent(id)}`;
  const deployment = (what: string, id: string) => `/deployment/${what}${encodeURIComponent(id)}`;
  return {
    job: (id) => client.get<NomadJob>(job(id), { missingOk: true }),
    versions: async (id) => (await client.get<NomadJobVersions>(`${job(id)}/versions`, { missingOk: true }))?.Versions ?? [],
    latestDeployment: async (id) => (await client.get<NomadDeployment | null>(`${job(id)}/deployment`)) ?? undefined,
    deployments: async (id) => (await client.get<NomadDeployment[]>(`${job(id)}/deployments`)) ?? [],
    plan: (spec) => client.post<PlanResponse>(`${job(spec.ID)}/plan`, { body: { Job: spec, Diff: false }, submits: true }),
    register: (spec, modifyIndex) =>
      client.post<RegisterResponse>(job(spec.ID), { body: { Job: spec, EnforceIndex: true, JobModifyIndex: modifyIndex }, submits: true }),
    evaluation: async (id) => (await client.get<NomadEvaluation>(`/evaluation/${encodeURIComponent(id)}`))!,
    deployment: async (id) => (await client.get<NomadDeployment>(deployment('', id)))!,
    promote: (id) => client.post<DeploymentUpdateResponse>(deployment('promote/', id), { body: { DeploymentID: id, All: true } }),
    fail: (id) => client.post<DeploymentUpdateResponse>(deployment('fail/', id)),
    revert: (id, version, prior) =>
      client.post(`${job(id)}/revert`, { body: { JobID: id, JobVersion: version, EnforcePriorVersion: prior }, submits: true }),
    stop: (id) => client.delete(`${job(id)}?purge=false`),
    allocations: async (id) => (await client.get<AllocationStub[]>(`${job(id)}/allocations`)) ?? [],
  };
}
