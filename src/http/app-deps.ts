/** What the HTTP surface is given (createApp) and hands to its express part (expressApp). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { EnvironmentsOverview } from '../pipeline/environments-overview.ts';
import type { Delivery, Reply } from '../webhook/receive-delivery.ts';
import type { BuildActions } from './build-action-routes.ts';
import type { EnvironmentActions } from './environment-routes.ts';
import type { GitHubSignInConfig } from './github-sign-in.ts';
import type { HttpMetrics } from './metrics-route.ts';
import type { QueuesBoard } from './queues-board.ts';

export interface AppDeps {
  readonly receive: (d: Delivery) => Promise<Reply>;
  readonly afterQueued: (builds: Reply['queued']) => void;
  readonly store: BuildStore;
  readonly healthy: () => Promise<boolean>;
  readonly logger: Logger;
  /** SLIPWAY_API_TOKEN: when set, `/api/*` needs it as a bearer token */
  readonly apiToken?: string;
  /** `GET /metrics` (same token rule as `/api`) and the webhook answers it counts */
  readonly metrics?: HttpMetrics;
  /** GitHub sign-in for people (SLIPWAY_GITHUB_OAUTH_*): their session opens the API and dashboard */
  readonly signIn?: GitHubSignInConfig;
  /** `POST /api/builds/:id/cancel` and `/rerun` (absent: not served) */
  readonly buildActions?: BuildActions;
  /** release control: deploy, promote, approve, rollback and releases of one service's environment */
  readonly environments?: EnvironmentActions;
  /** where the dashboard links commits: `https://github.com` (default) or a GitHub Enterprise host */
  readonly githubWebUrl?: string;
  /** aborted when the server is closing: the dashboard's event streams end, so close() does not wait for them */
  readonly shutdown?: AbortSignal;
  /** `GET /api/environments`: every service × environment, what runs and waits there (absent: not served) */
  readonly environmentsOverview?: () => Promise<EnvironmentsOverview>;
  /** `/queues`: Bull Board over the build and deploy queues, made on first use (same guard as `/api`) */
  readonly queuesBoard?: () => Promise<QueuesBoard>;
}

export type Failure = (err: unknown, req: IncomingMessage, res: ServerResponse) => Promise<void>;
