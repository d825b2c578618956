import type { EnvironmentActions } from '../src/http/environment-routes.ts';
import { queueRollback } from '../src/pipeline/queue-rollback.ts';
import { releaseHistory } from '../src/pipeline/release-history.ts';
import { approveHeld, requestDeploy, requestPromotion } from '../src/pipeline/release-control.ts';
import { requestDeps } from '../src/cli/requested-deploy-command.ts';
import { createRedisHeldDeploys } from '../src/store/redis-held-deploys.ts';
import type { Runtime } from './runtime.ts';

/** The release-control routes' actions on this runtime: they record and queue; a worker deploys. */
export function environmentActions(rt: Runtime): EnvironmentActions {
  const deps = requestDeps(rt);
  const held = createRedisHeldDeploys(rt.redis, rt.config.redisPrefix);
  return {
    deploy: (service, environment, buildId) => requestDeploy(deps, { service, environment, buildId }),
    promote: (service, from, to) => requestPromotion(deps, { service, from, to }),
    approve: (service, environment) => approveHeld({ ...deps, held }, { service, environment }),
    rollback: (service, environment, to) => queueRollback(deps, { service, environment, to }),
    releases: (service, environment, limit) => releaseHistory(rt, service, environment, limit),
  };
}
