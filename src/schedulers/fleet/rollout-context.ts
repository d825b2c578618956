import type { LogSink } from '../../core/ports/build-log.ts';
import type { Release } from '../../core/ports/scheduler.ts';
import type { FleetClient, FleetUnit } from './fleet-client.ts';
import type { FleetSettings } from './settings.ts';
import type { UnitOption } from './unit-file.ts';

/** One rollout's fixed facts, handed from step to step. */
export interface Rollout {
  readonly client: FleetClient;
  readonly log: LogSink;
  readonly release: Release;
  readonly settings: FleetSettings;
  /** `<service>-<environment>` */
  readonly prefix: string;
  readonly intervalMs: number;
  /** how long each instance may take to become active/running and healthy */
  readonly deadlineMs: number;
}

/** One instance slot `<prefix>@N.service`: the unit wanted there and the one found there, if any. */
export interface Instance {
  readonly n: number;
  readonly name: string;
  readonly options: readonly UnitOption[];
  /** the SHA1 fleet will report for `options` */
  readonly hash: string;
  readonly old?: FleetUnit;
}
