/** A deploy waiting for approval: which build's deploy record it is. */
export interface HeldDeploy {
  readonly buildId: string;
  readonly deployId: string;
}

/**
 * Where each (service, environment) keeps the one deploy waiting for `slipway approve`. At most
 * one waits per environment: `hold` puts a deploy there and hands back the one it replaced, and
 * `take` removes the waiting one; both are atomic, so a deploy that is held while another is
 * approved is either replaced or approved, never both. The caller writes the deploy record as
 * `held` before `hold`, so whoever `take`s it finds it held.
 */
export interface HeldDeploys {
  hold(service: string, environment: string, deploy: HeldDeploy): Promise<HeldDeploy | undefined>;
  take(service: string, environment: string): Promise<HeldDeploy | undefined>;
  /** the deploy waiting there, without taking it */
  peek(service: string, environment: string): Promise<HeldDeploy | undefined>;
}
