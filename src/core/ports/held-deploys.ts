/** A deploy waiting for approval: which build's deploy record it is. */
export interface HeldDeploy {
  readonly buildId: string;
  readonly deployId: string;
}

/**
 * What `hold` did: put the deploy there (handing back the one it replaced), or refused it because
 * a newer build's deploy waits there, or waited and was approved (`approved`: taken since).
 */
export type HoldResult =
  | { readonly held: true; readonly replaced?: HeldDeploy }
  | { readonly held: false; readonly newer: HeldDeploy; readonly approved?: true };

/**
 * Where each (service, environment) keeps the one deploy waiting for `slipway approve`. At most
 * one waits per environment: `hold` puts a deploy there and hands back the one it replaced,
 * unless the one waiting is of a newer build (a higher build id: received later), which stays,
 * or a newer build waited there before and was approved: an older build never waits once a
 * newer one has. `take` removes the waiting one. Both are atomic, so a deploy that is held while another is
 * approved is either replaced or approved, never both, and deploy jobs of two builds that run in
 * either order (a late retry, two workers) leave the newer one waiting. The caller writes the
 * deploy record as `held` before `hold`, so whoever `take`s it finds it held.
 */
export interface HeldDeploys {
  hold(service: string, environment: string, deploy: HeldDeploy): Promise<HoldResult>;
  take(service: string, environment: string): Promise<HeldDeploy | undefined>;
  /** the deploy waiting there, without taking it */
  peek(service: string, environment: string): Promise<HeldDeploy | undefined>;
}
