/**
 * The parts of Nomad's HTTP API answers the adapter reads (field names and casing exactly as
 * Nomad sends them; everything else is ignored). Reference: shared/reference/apis.md §7.
 */

/** `GET /v1/job/:id` (and each entry of `/versions`). */
export interface NomadJob {
  readonly ID: string;
  readonly Version: number;
  readonly Stable: boolean;
  readonly Status: string;
  readonly Stop: boolean;
  readonly JobModifyIndex: number;
  readonly Meta?: Readonly<Record<string, string>> | null;
  readonly TaskGroups?: readonly {
    readonly Name: string;
    readonly Tasks?: readonly { readonly Name: string; readonly Config?: Readonly<Record<string, unknown>> | null }[] | null;
  }[] | null;
}

export interface NomadJobVersions {
  readonly Versions: readonly NomadJob[];
}

/** `POST /v1/job/:id` */
export interface RegisterResponse {
  readonly EvalID: string;
  readonly JobModifyIndex: number;
  readonly Warnings?: string;
}

/** Placement metrics of one task group that could not be (fully) placed. */
export interface AllocMetric {
  readonly NodesEvaluated?: number;
  readonly NodesFiltered?: number;
  readonly NodesAvailable?: Readonly<Record<string, number>> | null;
  readonly ClassFiltered?: Readonly<Record<string, number>> | null;
  readonly ConstraintFiltered?: Readonly<Record<string, number>> | null;
  readonly NodesExhausted?: number;
  readonly ClassExhausted?: Readonly<Record<string, number>> | null;
  readonly DimensionExhausted?: Readonly<Record<string, number>> | null;
  readonly CoalescedFailures?: number;
}

export type FailedTGAllocs = Readonly<Record<string, AllocMetric>> | null;

/** `POST /v1/job/:id/plan` */
export interface PlanResponse {
  readonly Annotations?: { readonly DesiredTGUpdates?: Readonly<Record<string, Readonly<Record<string, number>>>> | null } | null;
  readonly FailedTGAllocs?: FailedTGAllocs;
  readonly JobModifyIndex: number;
  readonly Warnings?: string;
}

/** `GET /v1/evaluation/:id`; Status: pending | blocked | complete | failed | canceled */
export interface NomadEvaluation {
  readonly ID: string;
  readonly Status: string;
  readonly StatusDescription?: string;
  readonly DeploymentID?: string;
  readonly BlockedEval?: string;
  readonly FailedTGAllocs?: FailedTGAllocs;
}

/** One task group's progress inside a deployment. */
export interface DeploymentState {
  readonly AutoRevert: boolean;
  readonly AutoPromote: boolean;
  readonly Promoted: boolean;
  readonly DesiredCanaries: number;
  readonly DesiredTotal: number;
  readonly PlacedAllocs: number;
  readonly HealthyAllocs: number;
  readonly UnhealthyAllocs: number;
}

/** `GET /v1/deployment/:id`; Status: running | paused | failed | successful | cancelled (…) */
export interface NomadDeployment {
  readonly ID: string;
  readonly JobID: string;
  readonly JobVersion: number;
  readonly Status: string;
  readonly StatusDescription: string;
  readonly TaskGroups?: Readonly<Record<string, DeploymentState>> | null;
}

/** `POST /v1/deployment/fail/:id` and `/promote/:id` */
export interface DeploymentUpdateResponse {
  readonly EvalID?: string;
  readonly RevertedJobVersion?: number | null;
}

export interface TaskEvent {
  readonly Type: string;
  readonly DisplayMessage?: string;
  readonly Message?: string;
  readonly DriverError?: string;
  readonly Time?: number;
}

/** An entry of `GET /v1/job/:id/allocations`. */
export interface AllocationStub {
  readonly ID: string;
  readonly JobVersion: number;
  readonly ClientStatus: string;
  readonly DesiredStatus: string;
  readonly DeploymentStatus?: { readonly Healthy?: boolean | null } | null;
  readonly TaskStates?: Readonly<Record<string, { readonly State: string; readonly Failed: boolean; readonly Events?: readonly TaskEvent[] | null }>> | null;
}
