import type { Logger } from 'pino';
import type { DeployRecord } from '../core/build.ts';
import type { Pipeline } from '../core/pipeline.ts';
import type { Ancestry } from '../core/ports/ancestry.ts';
import type { CancelRequests } from '../core/ports/cancel-requests.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { HeldDeploys } from '../core/ports/held-deploys.ts';
import type { PreviewClosings } from '../core/ports/preview-closings.ts';
import type { ImageBuilder } from '../core/ports/image-builder.ts';
import type { ImagePusher } from '../core/ports/image-pusher.ts';
import type { Notifier } from '../core/ports/notifier.ts';
import type { DeploymentReporter } from '../core/ports/deployment-reporter.ts';
import type { Scheduler } from '../core/ports/scheduler.ts';
import type { SourceFetcher } from '../core/ports/source-fetcher.ts';
import type { ChangedFiles } from '../core/ports/changed-files.ts';
import type { StatusReporter } from '../core/ports/status-reporter.ts';
import type { TestRunner } from '../core/ports/test-runner.ts';

/** What every stage may use: ports only, never an adapter or a queue library. */
export interface PipelineDeps {
  readonly pipelines: readonly Pipeline[];
  readonly store: BuildStore;
  readonly statuses: StatusReporter;
  /** each deploy as a GitHub deployment (none: statuses only) */
  readonly deployments?: DeploymentReporter;
  readonly publicUrl: string;
  readonly logger: Logger;
}

export interface BuildDeps extends PipelineDeps {
  /** with `changedFiles`, a pipeline's `paths` is applied to pushes the webhook could not decide */
  readonly source: SourceFetcher & Partial<ChangedFiles>;
  readonly builder: ImageBuilder;
  readonly tests: TestRunner;
  readonly pusher: ImagePusher;
  /** `host[:port][/namespace]` images are named under */
  readonly registry: string;
  readonly enqueueDeploy: (buildId: string, deploy: DeployRecord) => Promise<void>;
  /** SLIPWAY_BUILD_TIMEOUT: how long one build job (clone → push) may take before it is stopped */
  readonly timeoutMs: number;
  /** `slipway cancel` and superseding pushes: checked when the build starts and sealed as it ends */
  readonly cancels?: CancelRequests;
}

export interface DeployDeps extends PipelineDeps {
  readonly schedulers: Readonly<Record<string, Scheduler>>;
  readonly ancestry: Ancestry;
  readonly notifier: Notifier;
  readonly deadlineMs: number;
  /** where `approval: required` deploys wait; without it nothing is held */
  readonly held?: HeldDeploys;
  /** when preview pull requests closed: a build from before that never deploys its preview */
  readonly closings?: PreviewClosings;
}

/** How the worker ran this job: a retryable failure on the last attempt is final. */
export interface Attempt {
  readonly final: boolean;
}
