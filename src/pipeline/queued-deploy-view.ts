import type { DeployRecord } from '../core/build.ts';
import { pinnedName } from '../core/image.ts';
import type { ReleaseRecord } from '../core/ports/build-store.ts';
import type { RefusalReason, RequestResult } from './queue-requested-deploy.ts';

/** A deploy a person asked for, as the API answers it (202) and the CLI prints it. */
export interface QueuedDeployView {
  readonly build: string;
  readonly sha: string;
  readonly branch: string;
  /** `repository@sha256:…` */
  readonly image?: string;
  readonly deploy: DeployRecord;
  readonly current: ReleaseRecord | null;
  readonly url: string;
}

export type RequestAnswer = { readonly queued: QueuedDeployView } | { readonly refused: string; readonly reason: RefusalReason };

/** The wire form of what was queued (or why nothing was). Pure. */
export function requestAnswer(result: RequestResult): RequestAnswer {
  if ('refused' in result) return result;
  const { build, deploy, current, url } = result.queued;
  const image = build.image?.digest ? pinnedName({ ...build.image, digest: build.image.digest }) : undefined;
  return { queued: { build: build.id, sha: build.event.sha, branch: build.event.branch, image, deploy, current: current ?? null, url } };
}
