import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Build } from '../../src/core/build.ts';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import type { BuildDeps } from '../../src/pipeline/deps.ts';
import { runBuild } from '../../src/pipeline/run-build.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { realBuildDeps } from '../support/build-deps.ts';
import { testEnv } from '../support/env.ts';
import { createTestRepo } from '../support/git-repo.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

/** Prints the memory and CPU limits of the RUN step's own cgroup (v1 or v2) into the build log. */
const SHOW_LIMITS = [
  'RUN echo "memory=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"',
  'RUN echo "cpu=$(cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"',
].join('\n');

after(removeTempDirs); // the temp folders and test repositories this file made

/**
 * Pull requests from forks on the real engine: the Dockerfile may not make the engine fetch a URL
 * (refused before the engine sees it, as the user's failure), and every RUN step runs under the
 * pipeline's test memory and CPU limits; a pull request from the same repository does not.
 */
describe('fork pull request builds', { timeout: 120_000 }, () => {
  const env = testEnv();
  const docker = createDockerClient(env.dockerHost);
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const store = createRedisBuildStore(redis, `fork-${randomUUID()}`);
  const logger = pino({ level: 'silent' });
  const repo = createTestRepo('forked');
  const pipeline: Pipeline = {
    service: 'forked', repository: 'acme/forked', dockerfile: 'Dockerfile', deploy: [], file: 'forked.yml',
    test: { command: ['true'], timeout: 60, memory: 96 * 1024 * 1024, cpus: 0.5 },
  };
  let github: GitHubEmulator;
  let deps: BuildDeps;

  before(async () => {
    github = await startGitHubEmulator({ token: 't' });
    deps = realBuildDeps({ pipelines: [pipeline], store, logger, githubUrl: github.url, dataDir: makeTempDir('slipway-data-') });
  });
  after(async () => {
    await github.close();
    await redis.quit();
  });

  async function pullRequest(files: Record<string, string>, fork: boolean): Promise<Build> {
    const sha = repo.commit(files, 'pull request', `pr-${randomUUID().slice(0, 8)}`);
    const pr = { number: 7, baseBranch: 'main', fork };
    return store.create('forked', { kind: 'pull_request', deliveryId: randomUUID(), repository: 'acme/forked', cloneUrl: repo.url, sha, branch: 'feature', pullRequest: pr });
  }

  it('refuses ADD <url> before the engine fetches anything: the build fails with the reason', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests += 1;
      res.end('fetched\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payload.txt`;
      const build = await pullRequest({ Dockerfile: `FROM local/busybox\nadd --chown=0:0 \\\n  ${url} /payload.txt\n` }, true);
      const done = await runBuild(deps, build.id, { final: false });
      assert.equal(done.state, 'failed', done.detail);
      assert.equal(done.detail, `Image build failed: Dockerfile line 2: ADD ${url} would be fetched from the network, and fork builds get none: COPY it from the repository`);
      assert.equal(done.stages.find((s) => s.name === 'build')?.state, 'failed');
      assert.equal(github.latest('acme', 'forked', done.event.sha).get('slipway/forked')?.state, 'failure');
      assert.equal(requests, 0, 'the engine fetched the URL');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('runs every RUN step of a fork under the test memory and CPU limits, and a same-repository one without', async () => {
    // A step of its own first: the limits are no part of the layer cache's key, so a cached step would show another build's.
    const dockerfile = () => `FROM local/busybox\nRUN echo ${randomUUID()}\n${SHOW_LIMITS}\n`;
    const fork = await runBuild(deps, (await pullRequest({ Dockerfile: dockerfile() }, true)).id, { final: false });
    assert.equal(fork.state, 'passed', fork.detail);
    const forkLog = (await store.readLog(fork.id)).lines.join('\n');
    assert.match(forkLog, new RegExp(`^memory=${96 * 1024 * 1024}$`, 'm'));
    assert.match(forkLog, /^cpu=(50000|50000 100000)$/m);

    const own = await runBuild(deps, (await pullRequest({ Dockerfile: dockerfile() }, false)).id, { final: false });
    assert.equal(own.state, 'passed', own.detail);
    const ownLog = (await store.readLog(own.id)).lines.join('\n');
    assert.doesNotMatch(ownLog, new RegExp(`^memory=${96 * 1024 * 1024}$`, 'm'));
    assert.match(ownLog, /^cpu=(-1|max 100000)$/m);
  });

  it('leaves no layer of a fork build for a trusted build to take from the cache', async () => {
    // The same steps in a fork and then in the repository: the fork's, made without network and
    // under limits, must not be what the trusted build gets.
    const dockerfile = `FROM local/busybox\nRUN echo ${randomUUID()} > /made-here\n`;
    const fork = await runBuild(deps, (await pullRequest({ Dockerfile: dockerfile }, true)).id, { final: false });
    assert.equal(fork.state, 'passed', fork.detail);
    assert.match((await store.readLog(fork.id)).lines.join('\n'), /Removed the image .*pr7-[0-9a-f]{7}/);
    await assert.rejects(docker.getImage(`${fork.image!.repository}:${fork.image!.tag}`).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    const own = await runBuild(deps, (await pullRequest({ Dockerfile: dockerfile }, false)).id, { final: false });
    assert.equal(own.state, 'passed', own.detail);
    assert.doesNotMatch((await store.readLog(own.id)).lines.join('\n'), /Using cache/);
  });
});
