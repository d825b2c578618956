import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Build } from '../../src/core/build.ts';
import type { Pipeline, TestSpec } from '../../src/core/pipeline.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import type { BuildDeps } from '../../src/pipeline/deps.ts';
import { runBuild } from '../../src/pipeline/run-build.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { realBuildDeps } from '../support/build-deps.ts';
import { testEnv } from '../support/env.ts';
import { createTestRepo } from '../support/git-repo.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';
import { until } from '../support/until.ts';

after(removeTempDirs); // the temp folders and test repositories this file made

/**
 * SLIPWAY_BUILD_TIMEOUT on real parts: a build that would run for minutes (a sleeping RUN step, a
 * git remote that never answers, a test command that sleeps) is stopped when its time is up,
 * leaves nothing running on the engine or on this host, ends `error` with a status saying it
 * timed out, and the build after it runs.
 */
describe('runBuild with a time limit', { timeout: 240_000 }, () => {
  const env = testEnv();
  const docker = createDockerClient(env.dockerHost);
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const store = createRedisBuildStore(redis, `timeout-${randomUUID()}`);
  const logger = pino({ level: 'silent' });
  const dataDir = makeTempDir('slipway-data-');
  let github: GitHubEmulator;

  before(async () => {
    github = await startGitHubEmulator({ token: 't' });
  });
  after(async () => {
    await github.close();
    await redis.quit();
  });

  function deps(pipeline: Pipeline, timeoutMs: number): BuildDeps {
    return realBuildDeps({ pipelines: [pipeline], store, logger, githubUrl: github.url, dataDir, timeoutMs });
  }

  function pipelineFor(service: string, test?: Partial<TestSpec> & Pick<TestSpec, 'command'>): Pipeline {
    const spec = test && { timeout: 600, memory: 0, cpus: 0, ...test };
    return { service, repository: `acme/${service}`, dockerfile: 'Dockerfile', deploy: [], file: `${service}.yml`, ...(spec ? { test: spec } : {}) };
  }

  async function push(service: string, cloneUrl: string, sha: string): Promise<Build> {
    return store.create(service, { kind: 'push', deliveryId: randomUUID(), repository: `acme/${service}`, cloneUrl, sha, branch: 'main' });
  }

  function assertTimedOut(done: Build, seconds: number, stage: string): void {
    const text = `Timed out after ${seconds}s (SLIPWAY_BUILD_TIMEOUT)`;
    assert.equal(done.state, 'error', done.detail);
    assert.equal(done.detail, text);
    assert.equal(done.stages.find((s) => s.name === stage)?.state, 'error', JSON.stringify(done.stages));
    const status = github.latest('acme', done.service, done.event.sha).get(`slipway/${done.service}`);
    assert.equal(status?.state, 'error');
    assert.equal(status?.description, text);
  }

  it('stops a RUN step that sleeps, removes its container, and runs the next build', async (t) => {
    const repo = createTestRepo('sleepy');
    const marker = `slipway-sleep-${randomUUID().slice(0, 8)}`;
    const pipeline = pipelineFor('sleepy');
    const slow = await push('sleepy', repo.url, repo.commit({ Dockerfile: `FROM local/busybox\nRUN echo ${marker} && sleep 300\n` }, 'sleep'));

    const started = Date.now();
    const done = await runBuild(deps(pipeline, 4_000), slow.id, { final: false });
    const took = Date.now() - started;
    t.diagnostic(`timed-out build settled after ${took} ms`);
    assertTimedOut(done, 4, 'build');
    assert.ok(took < 60_000, `took ${took} ms`);
    assert.match((await store.readLog(slow.id)).lines.join('\n'), new RegExp(marker), 'the RUN step was running when the time was up');
    await until('the RUN step\'s container is removed', async () => (await containersRunning(marker)).length === 0, 15_000);

    const next = await push('sleepy', repo.url, repo.commit({ Dockerfile: 'FROM local/busybox\nCMD ["true"]\n' }, 'quick'));
    const passed = await runBuild(deps(pipeline, 60_000), next.id, { final: false });
    assert.equal(passed.state, 'passed', passed.detail);
  });

  for (const scheme of ['http', 'git'] as const) {
    it(`stops a clone from a ${scheme}:// remote that never answers, leaving no git process behind`, async () => {
      const silent = await silentServer();
      try {
        const url = `${scheme}://127.0.0.1:${silent.port}/hung.git`;
        const build = await push('hung', url, 'a'.repeat(40));
        const done = await runBuild(deps(pipelineFor('hung'), 3_000), build.id, { final: false });
        assertTimedOut(done, 3, 'clone');
        assert.ok(silent.connections() > 0, 'git reached the remote');
        await until('no git process for the hung remote is left', () => gitProcessesFor(url).length === 0, 15_000);
        // The mirror's lock is free again: the next build of that remote times out too, rather than waiting for ever.
        const again = await runBuild(deps(pipelineFor('hung'), 3_000), (await push('hung', url, 'b'.repeat(40))).id, { final: false });
        assertTimedOut(again, 3, 'clone');
      } finally {
        await silent.close();
      }
    });
  }

  it('bounds a sleeping test command by test.timeout and by the build timeout', async () => {
    const repo = createTestRepo('sleeptest');
    const sha = repo.commit({ Dockerfile: 'FROM local/busybox\nCMD ["true"]\n' }, 'tests that sleep');
    const ownLimit = await runBuild(deps(pipelineFor('sleeptest', { command: ['sleep', '300'], timeout: 2 }), 120_000), (await push('sleeptest', repo.url, sha)).id, { final: false });
    assert.equal(ownLimit.state, 'failed', ownLimit.detail);
    assert.equal(ownLimit.detail, 'Tests timed out after 2s');

    const buildLimit = await runBuild(deps(pipelineFor('sleeptest', { command: ['sleep', '300'], timeout: 600 }), 8_000), (await push('sleeptest', repo.url, sha)).id, { final: false });
    assertTimedOut(buildLimit, 8, 'test');
    const image = buildLimit.image ?? { repository: `${env.registry}/sleeptest`, tag: `git-${sha.slice(0, 7)}` };
    await until('the test container is removed', async () => {
      const left = await docker.listContainers({ all: true, filters: { label: ['slipway.role=test'], ancestor: [`${image.repository}:${image.tag}`] } });
      return left.length === 0;
    }, 15_000);
  });

  async function containersRunning(marker: string): Promise<string[]> {
    const all = await docker.listContainers({ all: true });
    return all.filter((c) => c.Command.includes(marker)).map((c) => `${c.Id.slice(0, 12)} ${c.State}`);
  }
});

/** A TCP server on 127.0.0.1 that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function gitProcessesFor(url: string): string[] {
  const table = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return table.split('\n').filter((line) => line.includes(url));
}

