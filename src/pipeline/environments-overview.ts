import type { Build } from '../core/build.ts';
import type { Pipeline } from '../core/pipeline.ts';
import type { BuildStore, ReleaseRecord } from '../core/ports/build-store.ts';
import type { HeldDeploys } from '../core/ports/held-deploys.ts';
import type { PreviewClosings } from '../core/ports/preview-closings.ts';

import type { ReleaseCause } from '../core/release-cause.ts';
import { removedPreview } from './preview-closed.ts';

export type { ReleaseCause } from '../core/release-cause.ts';

/** What runs in one (service, environment): its release record, and the build it came from. */
export interface RunningRelease {
  readonly buildId: string;
  readonly sha: string;
  /** the GitHub repository of the build (absent once retention deleted the build) */
  readonly repository?: string;
  /** the branch the build was of (absent once retention deleted the build) */
  readonly branch?: string;
  readonly message?: string;
  readonly author?: string;
  /** `repository@sha256:…`, as the scheduler runs it */
  readonly image: string;
  readonly digest?: string;
  /** epoch ms the release was recorded */
  readonly since: number;
  readonly cause: ReleaseCause;
  /** a promotion: the environment whose digest it took */
  readonly from?: string;
}

/** The deploy waiting for `slipway approve` in an environment. */
export interface WaitingDeploy {
  readonly buildId: string;
  readonly deployId: string;
  readonly sha: string;
  readonly repository: string;
  readonly branch: string;
  readonly message?: string;
  readonly author?: string;
  readonly image?: string;
  /** epoch ms it has waited since (its build's end) */
  readonly since: number;
}

/** One cell of the services × environments grid. */
export interface EnvironmentStatus {
  readonly service: string;
  readonly environment: string;
  /** a pipeline's deploy entry names it; false: only recorded releases do (a removed entry, a preview) */
  readonly defined: boolean;
  /** the branch patterns that deploy here, in the pipeline's order */
  readonly branches: readonly string[];
  readonly scheduler?: string;
  readonly approval?: 'required';
  readonly url?: string;
  readonly running?: RunningRelease;
  readonly waiting?: WaitingDeploy;
}

export interface EnvironmentsOverview {
  /** sorted by service; a service's environments in its pipeline's order, then recorded-only ones by name */
  readonly environments: readonly EnvironmentStatus[];
}

export interface OverviewDeps {
  readonly pipelines: readonly Pipeline[];
  readonly store: Pick<BuildStore, 'get' | 'release' | 'releaseTargets'>;
  readonly held: Pick<HeldDeploys, 'peek'>;
  /** when previews' pull requests closed: a preview removed since its last release is not listed */
  readonly closings?: Pick<PreviewClosings, 'closedAt'>;
}

/**
 * Every service × environment Slipway knows, from the loaded pipelines and the releases recorded
 * in Redis (less previews removed when their pull request closed): what runs there, since when
 * and how it came, and what waits there for approval.
 * `GET /api/environments`, `slipway environments` and the dashboard's environments page read it.
 */
export async function environmentsOverview(deps: OverviewDeps): Promise<EnvironmentsOverview> {
  const cells = new Map<string, Omit<EnvironmentStatus, 'running' | 'waiting'>>();
  for (const p of deps.pipelines) {
    for (const t of p.deploy) {
      const id = `${p.service}:${t.environment}`;
      const known = cells.get(id);
      if (known) cells.set(id, { ...known, branches: [...known.branches, t.branch] });
      else cells.set(id, { service: p.service, environment: t.environment, defined: true, branches: [t.branch], scheduler: t.scheduler, approval: t.approval, url: t.url });
    }
  }
  for (const t of await deps.store.releaseTargets()) {
    const id = `${t.service}:${t.environment}`;
    if (!cells.has(id)) cells.set(id, { ...t, defined: false, branches: [] });
  }
  const ordered = [...cells.values()].sort((a, b) => a.service.localeCompare(b.service) || Number(b.defined) - Number(a.defined) || (a.defined ? 0 : a.environment.localeCompare(b.environment)));
  const environments = await Promise.all(ordered.map(async (cell) => ({ ...cell, ...(await occupants(deps, cell.service, cell.environment)) })));
  // A preview no deploy entry names whose pull request closed after its last release: its
  // containers were removed, though its release record stays (the history, retention's view).
  const removed = await Promise.all(environments.map((cell) => !cell.defined && removedPreview(deps.closings, cell.service, cell.environment, cell.running?.since)));
  return { environments: environments.filter((_, n) => !removed[n]) };
}

async function occupants(deps: OverviewDeps, service: string, environment: string): Promise<Pick<EnvironmentStatus, 'running' | 'waiting'>> {
  const [release, held] = await Promise.all([deps.store.release(service, environment), deps.held.peek(service, environment)]);
  const [releasedBuild, heldBuild] = await Promise.all([release && deps.store.get(release.buildId), held && deps.store.get(held.buildId)]);
  const deploy = heldBuild?.deploys.find((d) => d.id === held?.deployId);
  return {
    running: release && runningRelease(release, releasedBuild),
    waiting: heldBuild && deploy?.state === 'held' ? waitingDeploy(heldBuild, deploy.id) : undefined,
  };
}

function runningRelease(release: ReleaseRecord, build: Build | undefined): RunningRelease {
  const { cause } = release;
  // a promotion recorded before releases kept `from`: the build's latest promotion to this environment that succeeded
  const promotion = cause === 'promotion' && !release.from ? build?.deploys.filter((d) => d.environment === release.environment && d.state === 'succeeded' && d.requested === 'promote').at(-1) : undefined;
  return {
    buildId: release.buildId,
    sha: release.sha,
    repository: build?.event.repository,
    branch: build?.event.branch,
    message: build?.event.message,
    author: build?.event.author,
    image: release.image,
    digest: release.image.includes('@') ? release.image.slice(release.image.indexOf('@') + 1) : undefined,
    since: release.deployedAt,
    cause,
    from: release.from ?? promotion?.from,
  };
}

function waitingDeploy(build: Build, deployId: string): WaitingDeploy {
  const { event, image } = build;
  return {
    buildId: build.id,
    deployId,
    sha: event.sha,
    repository: event.repository,
    branch: event.branch,
    message: event.message,
    author: event.author,
    image: image?.digest ? `${image.repository}@${image.digest}` : undefined,
    since: build.finishedAt ?? build.createdAt,
  };
}
