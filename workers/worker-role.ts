import { createDockerClient } from '../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../src/docker/image-builder.ts';
import { createDockerImagePusher } from '../src/docker/image-pusher.ts';
import { createDockerTestRunner } from '../src/docker/test-runner.ts';
import { createGitSourceFetcher } from '../src/git/git-source-fetcher.ts';
import { githubCloneCredentials } from '../src/github/clone-credentials.ts';
import { createSlackNotifier } from '../src/notifiers/slack-notifier.ts';
import { createSchedulers } from '../src/schedulers/index.ts';
import { createRedisPreviewPorts } from '../src/store/redis-preview-ports.ts';
import { startBuildWorker } from './build-worker.ts';
import { startDeployWorker } from './deploy-worker.ts';
import { startPreviewWorker } from './preview-worker.ts';
import { startReconciler } from './reconciler.ts';
import { janitorFor } from './janitor.ts';
import { registryCredentialsFor } from './registry-credentials.ts';
import type { Runtime } from './runtime.ts';

/**
 * The worker role: the build and deploy workers and the reconciler, on the engine, git mirrors and
 * schedulers they use. slipway.ts loads this file only for a process that runs the role, so
 * `slipway server` never loads dockerode, git or a scheduler client.
 */
export function startWorkers(rt: Runtime) {
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
  }, janitor);
  const notifier = createSlackNotifier({ webhookUrl: config.slackWebhookUrl, logger: rt.logger });
  const previewPorts = createRedisPreviewPorts(rt.redis, config.redisPrefix);
  const schedulers = createSchedulers({ docker, registryCredentials, previewPorts, nomad: config.nomad, fleet: config.fleet, kubernetes: config.kubernetes, aws: config.aws });
  const deploy = startDeployWorker(rt, { schedulers, ancestry: source, notifier });
  return [build, deploy, startPreviewWorker(rt, schedulers), startReconciler(rt, notifier, config.reconcileIntervalMs)];
}
