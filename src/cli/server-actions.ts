import type { Build } from '../core/build.ts';
import type { CancelResult } from '../pipeline/cancel-build.ts';
import type { RefusalReason } from '../pipeline/queue-requested-deploy.ts';
import type { QueuedDeployView, RequestAnswer } from '../pipeline/queued-deploy-view.ts';
import type { RerunResult } from '../pipeline/rerun-build.ts';
import { serverCall, type ServerAnswer, unexpected } from './server-call.ts';

/** The acting commands over a Slipway server's API (`--server <url>`): the routes of DESIGN's release-control table. */
export interface ServerActions {
  readonly root: string;
  deploy(service: string, environment: string, buildId: string): Promise<RequestAnswer>;
  promote(service: string, from: string, to: string): Promise<RequestAnswer>;
  approve(service: string, environment: string): Promise<RequestAnswer>;
  rollback(service: string, environment: string, to?: string): Promise<RequestAnswer>;
  cancel(buildId: string): Promise<CancelResult>;
  rerun(buildId: string): Promise<RerunResult>;
}

/**
 * POSTs to the server with the API token. A 202 is what was queued, a 409 the refusal the server
 * gave (its `error` and `reason`), a 404 from the build routes an unknown build; anything else
 * throws ServerProblem (exit 1).
 */
export function serverActions(base: string, token: string | undefined): ServerActions {
  const { root, call } = serverCall(base, token);
  const post = async (path: string, body: unknown, expected: readonly number[]): Promise<ServerAnswer> => {
    const answer = await call('POST', path, body);
    if (!expected.includes(answer.status)) throw unexpected(root, 'POST', path, answer);
    return answer;
  };
  const target = (service: string, environment: string, action: string) =>
    `/api/services/${encodeURIComponent(service)}/environments/${encodeURIComponent(environment)}/${action}`;
  const request = async (path: string, body: unknown): Promise<RequestAnswer> => {
    const { status, body: answer } = await post(path, body, [202, 409]);
    if (status === 409) return { refused: answer.error ?? 'refused', reason: answer.reason as RefusalReason };
    return { queued: answer as unknown as QueuedDeployView };
  };
  const refusal = <R extends string>(answer: ServerAnswer) => ({ refused: answer.body.error ?? 'refused', reason: answer.body.reason as R });
  return {
    root,
    deploy: (service, environment, buildId) => request(target(service, environment, 'deploy'), { build: buildId }),
    promote: (service, from, to) => request(target(service, to, 'deploy'), { from }),
    approve: (service, environment) => request(target(service, environment, 'approve'), {}),
    rollback: (service, environment, to) => request(target(service, environment, 'rollback'), to === undefined ? {} : { to }),
    async cancel(buildId) {
      const answer = await post(`/api/builds/${buildId}/cancel`, {}, [200, 202, 404, 409]);
      if (answer.status === 404) return { refused: answer.body.error ?? `no build ${buildId}`, reason: 'unknown_build' };
      if (answer.status === 409) return refusal<'final'>(answer);
      const build = answer.body.build as Build;
      return answer.status === 202 ? { stopping: build } : { cancelled: build };
    },
    async rerun(buildId) {
      const answer = await post(`/api/builds/${buildId}/rerun`, {}, [201, 404, 409]);
      if (answer.status === 404) return { refused: answer.body.error ?? `no build ${buildId}`, reason: 'unknown_build' };
      if (answer.status === 409) return refusal<'not_final' | 'no_pipeline'>(answer);
      return { queued: answer.body.build as Build };
    },
  };
}
