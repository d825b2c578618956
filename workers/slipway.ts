import type { Logger } from 'pino';
import type { Config } from '../src/config/config.ts';
import type { RegistryCredentials } from '../src/core/ports/registry-credentials.ts';
import { createDockerClient } from '../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../src/docker/image-pusher.ts';
import { createDockerTestRunner } from '../src/docker/test-runner.ts';
import { createGitSourceFetcher } from '../src/git/git-source-fetcher.ts';
import { githubCloneCredentials } from '../src/github/clone-credentials.ts';
import { createSlackNotifier } from '../src/notifiers/slack-notifier.ts';
import { createEcrCredentials } from '../src/registries/ecr-credentials.ts';
import { registryHost } from '../src/registries/registry-host.ts';
import { createStaticCredentials } from '../src/registries/static-credentials.ts';
import { createSchedulers } from '../src/schedulers/index.ts';
import { startBuildWorker } from './build-worker.ts';
import { startDeployWorker } from './deploy-worker.ts';
import { startReconciler } from './reconciler.ts';
import { janitorFor } from './janitor.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import { startServer } from './server.ts';

export type Role = 'server' | 'worker';

export interface Running {
  /** the HTTP server's base URL, when the server role runs */
  readonly url?: string;
  readonly pipelines: Runtime['pipelines'];
  /** stops taking work, lets running jobs finish, closes connections */
  close(): Promise<void>;
}

/**
 * The composition root: builds every adapter from the validated config and starts the roles
 * asked for. `server` takes webhooks and serves the API; `worker` builds and deploys.
 */
export async function startSlipway(config: Config, roles: readonly Role[], logger: Logger): Promise<Running> {
  const closers: (() => Promise<void>)[] = [];
  let url: string | undefined;
  let pipelines: Runtime['pipelines'] = [];
  try {
    if (roles.includes('worker')) {
      const rt = createRuntime(config, logger.child({ role: 'worker' }), 'patient');
      pipelines = rt.pipelines;
      closers.push(() => rt.close());
      const workers = startWorkers(rt);
      closers.push(() => Promise.all(workers.map((w) => w.close())).then(() => undefined));
    }
    if (roles.includes('server')) {
      const rt = createRuntime(config, logger.child({ role: 'server' }), 'fail-fast');
      pipelines = rt.pipelines;
      closers.push(() => rt.close());
      const server = await startServer(rt);
      url = server.url;
      closers.push(() => server.close());
    }
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
  return { url, pipelines, close: () => closeAll(closers) };
}

function startWorkers(rt: Runtime) {
  const { config } = rt;
  const docker = createDockerClient(config.dockerHost);
  const registryCredentials = registryCredentialsFor(config);
  const source = createGitSourceFetcher(config.dataDir, { credentials: githubCloneCredentials(rt.githubTokens, config.github.apiUrl) });
  const janitor = janitorFor(rt, docker);
  void janitor.atStart();
  const build = startBuildWorker(rt, {
    source,
    builder: createDockerImageBuilder(docker, { registryCredentials }),
    tests: createDockerTestRunner(docker, { registryCredentials }),
    pusher: createDockerImagePusher(docker, registryCredentials),
  }, janitor.afterBuild);
  const notifier = createSlackNotifier({ webhookUrl: config.slackWebhookUrl, logger: rt.logger });
  const deploy = startDeployWorker(rt, {
    schedulers: createSchedulers({ docker, registryCredentials, nomad: config.nomad, fleet: config.fleet, aws: config.aws }),
    ancestry: source,
    notifier,
  });
  return [build, deploy, startReconciler(rt, notifier, config.reconcileIntervalMs)];
}

/** SLIPWAY_REGISTRY_AUTH: `ecr` → ECR's authorization token, `basic` → the configured pair, `none` → anonymous. */
export function registryCredentialsFor(config: Config): RegistryCredentials {
  const { address, auth, username, password } = config.registry;
  if (auth === 'ecr') return createEcrCredentials({ registry: address, region: config.aws.region, endpoint: config.aws.ecrEndpoint });
  return createStaticCredentials(auth === 'basic' ? { username, password, serveraddress: registryHost(address) } : undefined);
}

/** Closes in reverse order of opening: server first, then workers, then connections. */
async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => undefined);
}
