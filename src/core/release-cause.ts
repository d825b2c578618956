import type { DeployRecord } from './build.ts';

/**
 * How a release came to run: `push` (a push's own deploy), `approval` (a held deploy `slipway
 * approve` let go), `deploy` (`slipway deploy --build`), `promotion` (`slipway promote`, with the
 * environment it came from) or `rollback` (`slipway rollback`).
 */
export type ReleaseCause = 'push' | 'approval' | 'deploy' | 'promotion' | 'rollback';

/** The cause of the release a deploy makes, from how its record says it was asked for. Pure. */
export function releaseCause(deploy: Pick<DeployRecord, 'rollback' | 'requested'>): ReleaseCause {
  if (deploy.rollback) return 'rollback';
  if (deploy.requested === 'promote') return 'promotion';
  return deploy.requested ?? 'push';
}

/** The cause in words, a promotion naming where it came from: "promotion from staging". Pure. */
export function describeCause(release: { readonly cause: ReleaseCause; readonly from?: string }): string {
  return release.cause === 'promotion' && release.from ? `promotion from ${release.from}` : release.cause;
}
