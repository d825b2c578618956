import { unknownTarget } from '../src/core/pipeline.ts';
import type { EnvironmentActions } from '../src/http/environment-routes.ts';
import { queueRollback } from '../src/pipeline/queue-rollback.ts';
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
    async releases(service, environment, limit) {
      const unknown = unknownTarget(rt.pipelines, service, environment);
      if (unknown) return { refused: unknown };
      return { releases: await rt.store.releases(service, environment, limit), repository: rt.pipelines.find((p) => p.service === service)?.repository };
    },
  };
}
