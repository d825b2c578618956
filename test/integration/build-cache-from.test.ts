/**
 * A worker that never built a service takes its build cache from the service's last pushed
 * image: two real engines (the one `npm test` starts, and a second, empty one standing in for a
 * new worker's), the htpasswd registry between them, builds run by `runBuild` end to end.
 * Run with `npm test -- test/integration/build-cache-from.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { Build } from '../../src/core/build.ts';
import { pinnedName, type PushedImage } from '../../src/core/image.ts';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createImagePruner } from '../../src/docker/image-pruner.ts';
import { createDockerImagePusher } from '../../src/docker/image-pusher.ts';
import { readJsonStream } from '../../src/docker/json-stream.ts';
import { createDockerTestRunner } from '../../src/docker/test-runner.ts';
import type { BuildDeps } from '../../src/pipeline/deps.ts';
import { runBuild } from '../../src/pipeline/run-build.ts';
import { createBuildCacheWarmer } from '../../src/pipeline/warm-build-cache.ts';
import { createStaticCredentials } from '../../src/registries/static-credentials.ts';
import { createPushedImages } from '../../src/store/pushed-images-channel.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { realBuildDeps } from '../support/build-deps.ts';
import { testEnv } from '../support/env.ts';
import { createTestRepo, type TestRepo } from '../support/git-repo.ts';
import { startSecondEngine, type SecondEngine } from '../support/second-engine.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';
import { createJanitor } from '../../workers/janitor.ts';
import { until } from '../support/until.ts';

after(removeTempDirs);

/** The dependency step prints a marker when it runs, and nothing when its layer comes from cache. */
const DOCKERFILE = [
  'FROM local/busybox',
  'COPY deps.txt /deps.txt',
  'RUN echo "installing dependencies: $(cat /deps.txt)" && cp /deps.txt /installed',
  'COPY app /app',
  '',
].join('\n');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const INSTALLING = /^installing dependencies: /m;
/** The classic builder's line for a step whose layer it found in its cache. */
const DEPENDENCY_STEP_CACHED = /^Step 3\/\d+ : RUN echo "installing dependencies[^\n]*\n ---> Using cache$/m;

describe('a new worker builds from the last pushed image\'s layers', { timeout: 240_000 }, () => {
  const env = testEnv();
  const engineA = createDockerClient(env.dockerHost);
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `cache-from-${randomUUID()}`;
  const store = createRedisBuildStore(redis, prefix);
  const logger = pino({ level: 'silent' });
  const credentials = createStaticCredentials({ username: env.authUsername, password: env.authPassword, serveraddress: env.authRegistry });
  const run = randomUUID().slice(0, 8);
  const pipeline = (service: string): Pipeline => ({ service, repository: `acme/${service}`, dockerfile: 'Dockerfile', deploy: [], file: `${service}.yml` });
  const pipelines = [pipeline(`cached-${run}`), pipeline(`uncached-${run}`), pipeline(`warmed-${run}`), pipeline(`forked-${run}`), pipeline(`followed-${run}`)];
  const repos = new Map<string, TestRepo>();
  let github: GitHubEmulator;
  let engineB: SecondEngine;
  /** the worker on the engine `npm test` runs: it has built before */
  let workerA: BuildDeps;
  /** a new worker: its engine has nothing but the base image */
  let workerB: BuildDeps;

  before(async () => {
    github = await startGitHubEmulator({ token: 't' });
    engineB = await startSecondEngine();
    // The base image as a registry would give it to both engines: the same image, the same id.
    await readJsonStream(await engineB.docker.loadImage(await engineA.getImage('local/busybox').get()));
    assert.equal((await engineB.docker.getImage('local/busybox').inspect()).Id, (await engineA.getImage('local/busybox').inspect()).Id);
    const deps = realBuildDeps({ pipelines, store, logger, githubUrl: github.url, dataDir: makeTempDir('slipway-data-'), registry: env.authRegistry });
    workerA = { ...deps, pusher: createDockerImagePusher(engineA, credentials) };
    workerB = {
      ...realBuildDeps({ pipelines, store, logger, githubUrl: github.url, dataDir: makeTempDir('slipway-data-'), registry: env.authRegistry }),
      builder: createDockerImageBuilder(engineB.docker, { registryCredentials: credentials }),
      tests: createDockerTestRunner(engineB.docker),
      pusher: createDockerImagePusher(engineB.docker, credentials),
    };
  });
  after(async () => {
    await engineB?.stop();
    await github?.close();
    await redis.quit();
  });

  async function push(worker: BuildDeps, service: string, files: Record<string, string>): Promise<{ build: Build; log: string }> {
    const repo = repos.get(service) ?? repos.set(service, createTestRepo(service)).get(service)!;
    const sha = repo.commit(files, 'a change');
    const created = await store.create(service, { kind: 'push', deliveryId: randomUUID(), repository: `acme/${service}`, cloneUrl: repo.url, sha, branch: 'main' });
    const build = await runBuild(worker, created.id, { final: true });
    const log = (await store.readLog(build.id)).lines.join('\n');
    assert.equal(build.state, 'passed', `${build.detail}\n${log}`);
    return { build, log };
  }

  it('pulls the last pushed image with the registry credentials and takes the unchanged dependency step from it', async () => {
    const service = `cached-${run}`;
    const first = await push(workerA, service, { Dockerfile: DOCKERFILE, 'deps.txt': `left-pad ${run}\n`, 'app/index.html': 'one\n' });
    assert.match(first.log, INSTALLING, 'the first build ever runs the dependency step');
    assert.ok(first.build.image?.digest, 'the first build was pushed');

    const second = await push(workerB, service, { 'app/index.html': 'two\n' });
    assert.match(second.log, new RegExp(`^Build cache: pulling ${first.build.image.tag} \\(${escape(pinnedName(first.build.image as PushedImage))}\\)`, 'm'));
    assert.match(second.log, /^Build cache: pulled /m);
    // Started before the clone and asked for again by the build: one pull, which the build waited for.
    assert.equal(second.log.match(/^Build cache: pulling /gm)?.length, 1, second.log);
    assert.match(second.log, DEPENDENCY_STEP_CACHED, second.log);
    assert.doesNotMatch(second.log, INSTALLING, 'the new worker ran the dependency step again');
    // Tagged as its build: the janitor removes it with that build's images, as if built here.
    const pulled = await engineB.docker.getImage(pinnedName(first.build.image as PushedImage)).inspect();
    assert.ok(pulled.RepoTags.includes(`${first.build.image.repository}:${first.build.image.tag}`), pulled.RepoTags.join(', '));

    // The engine has the last pushed image now (it pushed it): nothing to pull, and the step
    // restored from the pulled image still serves (the engine's own cache alone would not find it).
    const third = await push(workerB, service, { 'app/index.html': 'three\n' });
    assert.doesNotMatch(third.log, /^Build cache:/m);
    assert.match(third.log, DEPENDENCY_STEP_CACHED, third.log);
    assert.doesNotMatch(third.log, INSTALLING);

    // Back on the first worker, which has its own builds but not the new worker's: it pulls the
    // last one pushed (its new layers only) and takes the dependency step from cache all the same.
    const fourth = await push(workerA, service, { 'app/index.html': 'four\n' });
    assert.match(fourth.log, new RegExp(`^Build cache: pulling ${third.build.image!.tag} `, 'm'));
    assert.match(fourth.log, DEPENDENCY_STEP_CACHED, fourth.log);
    assert.doesNotMatch(fourth.log, INSTALLING);
  });

  it('a worker warms its engine at start: its first build of a service pulls nothing and takes the dependency step from cache', async () => {
    const service = `warmed-${run}`;
    const first = await push(workerA, service, { Dockerfile: DOCKERFILE, 'deps.txt': `is-odd ${run}\n`, 'app/index.html': 'one\n' });
    const lines: string[] = [];
    const logger = { info: (_: unknown, text: string) => void lines.push(text), warn: (_: unknown, text: string) => void lines.push(text) } as unknown as Logger;
    const atStart = createBuildCacheWarmer({ ...workerB, pipelines: [pipeline(service)], logger });
    atStart.warm(service); // what a build worker does for each service when it starts
    await atStart.idle();
    assert.deepEqual(lines.filter((l) => l.startsWith('Build cache: pulled')), [`Build cache: pulled ${first.build.image!.tag}; its layers serve the steps that did not change`], lines.join('\n'));
    assert.ok(await engineB.docker.getImage(pinnedName(first.build.image as PushedImage)).inspect());

    const second = await push(workerB, service, { 'app/index.html': 'two\n' });
    assert.doesNotMatch(second.log, /^Build cache:/m);
    assert.match(second.log, DEPENDENCY_STEP_CACHED, second.log);
    assert.doesNotMatch(second.log, INSTALLING);
  });

  it('a running worker pulls each image another worker pushes, in the background, and drops those of builds no longer kept: its next build pulls nothing', async () => {
    const service = `followed-${run}`;
    // Both janitors keep one build: A's deletes the older build after its next, B's drops its image.
    const janitor = (docker: Docker) => createJanitor({ redis, prefix, store, pipelines, keepBuilds: 1, registry: env.authRegistry, images: createImagePruner(docker, logger), dataDir: makeTempDir('slipway-data-'), logger });
    const [janitorA, janitorB] = [janitor(engineA), janitor(engineB.docker)];
    // Worker B follows the channel on a connection of its own, as the build worker does.
    const channelB = createPushedImages(redis, prefix, logger);
    const warmerB = createBuildCacheWarmer({ ...workerB, logger }, undefined, janitorB.afterPull);
    const heard: string[] = [];
    const holds = (name: string) => engineB.docker.getImage(name).inspect().then(() => true, () => false);
    await channelB.follow((s) => (heard.push(s), warmerB.warm(s)));
    try {
      const channelA = createPushedImages(redis, prefix, logger);
      const first = await push(workerA, service, { Dockerfile: DOCKERFILE, 'deps.txt': `is-number ${run}\n`, 'app/index.html': 'one\n' });
      // Builds whose image was not pushed say nothing: a fork's, or one that never reached its push.
      await channelA.announce({ ...first.build, event: { ...first.build.event, kind: 'pull_request', pullRequest: { number: 7, baseBranch: 'main', fork: true } } });
      await channelA.announce({ ...first.build, image: { repository: first.build.image!.repository, tag: first.build.image!.tag } });
      await channelA.announce(first.build);
      await until(`worker B's engine to hold ${first.build.image!.tag}`, () => holds(pinnedName(first.build.image as PushedImage)), 90_000, 200);
      assert.deepEqual(heard, [service], 'one message: the pushed build\'s, after the two that were not sent');

      const second = await push(workerA, service, { 'app/index.html': 'two\n' });
      await janitorA.afterBuild(service);
      assert.equal(await store.get(first.build.id), undefined, 'the first build is past SLIPWAY_KEEP_BUILDS');
      await channelA.announce(second.build);
      const firstTag = `${first.build.image!.repository}:${first.build.image!.tag}`;
      await until(`worker B's engine to hold ${second.build.image!.tag} and no longer ${firstTag}`, async () => (await holds(pinnedName(second.build.image as PushedImage))) && !(await holds(firstTag)), 90_000, 200);
      await warmerB.idle();

      const third = await push(workerB, service, { 'app/index.html': 'three\n' });
      assert.doesNotMatch(third.log, /^Build cache:/m, 'the build found the image on its engine');
      assert.match(third.log, DEPENDENCY_STEP_CACHED, third.log);
      assert.doesNotMatch(third.log, INSTALLING);
    } finally {
      await channelB.close();
    }
  });

  it('a fork\'s build on a new worker takes the trusted layers, and leaves none of its own for the trusted build after it', async () => {
    const service = `forked-${run}`;
    const first = await push(workerA, service, { Dockerfile: DOCKERFILE, 'deps.txt': `is-even ${run}\n`, 'app/index.html': 'one\n' });
    // The fork adds a step; a trusted commit later has the same one. The fork's layer for it was
    // made without network and under limits: the trusted build must make its own.
    const extra = `${DOCKERFILE}RUN echo "extra step ran"\n`;
    const sha = repos.get(service)!.commit({ Dockerfile: extra, 'app/index.html': 'fork\n' }, 'from a fork', `fork-${run}`);
    const pr = { number: 9, baseBranch: 'main', fork: true };
    const created = await store.create(service, { kind: 'pull_request', deliveryId: randomUUID(), repository: `acme/${service}`, cloneUrl: repos.get(service)!.url, sha, branch: 'feature', pullRequest: pr });
    const fork = await runBuild(workerB, created.id, { final: true });
    const forkLog = (await store.readLog(fork.id)).lines.join('\n');
    assert.equal(fork.state, 'passed', `${fork.detail}\n${forkLog}`);
    assert.match(forkLog, new RegExp(`^Build cache: pulled ${first.build.image!.tag};`, 'm'));
    assert.match(forkLog, DEPENDENCY_STEP_CACHED, forkLog);
    assert.match(forkLog, /^extra step ran$/m);
    assert.match(forkLog, /^Removed the image .*pr9-[0-9a-f]{7}/m);

    const trusted = await push(workerB, service, { Dockerfile: extra, 'app/index.html': 'two\n' });
    assert.match(trusted.log, DEPENDENCY_STEP_CACHED, trusted.log);
    assert.match(trusted.log, /^extra step ran$/m, 'the trusted build took the fork\'s layer');
  });

  it('builds without cache when the last pushed image cannot be pulled (no credentials): a log line, not a failure', async () => {
    const service = `uncached-${run}`;
    const first = await push(workerA, service, { Dockerfile: DOCKERFILE, 'deps.txt': `right-pad ${run}\n`, 'app/index.html': 'one\n' });
    const anonymous = { ...workerB, builder: createDockerImageBuilder(engineB.docker) };
    const second = await push(anonymous, service, { 'app/index.html': 'two\n' });
    const pinned = pinnedName(first.build.image as PushedImage);
    assert.match(second.log, new RegExp(`^Build cache: could not pull ${escape(pinned)} \\(.*(unauthorized|authentication required|no basic auth credentials).*\\); building without it$`, 'm'));
    assert.match(second.log, INSTALLING, 'without the cache image the dependency step runs');
    assert.ok(second.build.image?.digest, 'and the build is pushed all the same');
  });
});
