import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { Pipeline } from '../../src/core/pipeline.ts';
import type { BuildDeps } from '../../src/pipeline/deps.ts';
import { runBuild } from '../../src/pipeline/run-build.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { realBuildDeps } from '../support/build-deps.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { createTestRepo } from '../support/git-repo.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

after(removeTempDirs); // the temp folders and test repositories this file made

/**
 * The build runner on real parts when something outside fails: retryable failures are handed back
 * for a retry with nothing lost, the last attempt ends the build as `error` with a status that says
 * why, and a broken Dockerfile is the user's `failure`, not retried.
 */
describe('runBuild when things fail', { timeout: 120_000 }, () => {
  const env = testEnv();
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const store = createRedisBuildStore(redis, `runbuild-${randomUUID()}`);
  const repo = createTestRepo('failing');
  const logger = pino({ level: 'silent' });
  let github: GitHubEmulator;
  let deps: (registry: string) => BuildDeps;
  const pipeline: Pipeline = { service: 'failing', repository: 'acme/failing', dockerfile: 'Dockerfile', deploy: [], file: 'failing.yml' };

  before(async () => {
    github = await startGitHubEmulator({ token: 't' });
    deps = (registry) => realBuildDeps({ pipelines: [pipeline], store, logger, githubUrl: github.url, dataDir: makeTempDir('slipway-data-'), registry });
  });
  after(async () => {
    await github.close();
    await redis.quit();
  });

  async function newBuild(files: Record<string, string>) {
    const sha = repo.commit(files, 'change');
    return store.create('failing', { kind: 'push', deliveryId: randomUUID(), repository: 'acme/failing', cloneUrl: repo.url, sha, branch: 'main' });
  }

  it('hands an unreachable registry back for a retry, then ends in error on the last attempt', async () => {
    const build = await newBuild({ Dockerfile: 'FROM local/busybox\nCMD ["true"]\n' });
    const closed = `127.0.0.1:${await freePort()}`;
    const err = await runBuild(deps(closed), build.id, { final: false }).then(() => undefined, (e: unknown) => e);
    assert.ok(isSlipwayError(err, 'REGISTRY_UNREACHABLE') && err.retryable, String(err));
    const between = await store.get(build.id);
    assert.equal(between?.stages.find((s) => s.name === 'push')?.state, 'error');
    assert.match((await store.readLog(build.id)).lines.join('\n'), /will retry/);

    const last = await runBuild(deps(closed), build.id, { final: true });
    assert.equal(last.state, 'error');
    assert.deepEqual(last.stages.map((s) => s.state), ['passed', 'passed', 'passed', 'error']);
    const status = github.latest('acme', 'failing', build.event.sha).get('slipway/failing');
    assert.equal(status?.state, 'error');
    assert.ok((status?.description ?? '').length <= 140);
  });

  it('ends a failing Dockerfile step as the user\'s failure, without a retry', async () => {
    const build = await newBuild({ Dockerfile: 'FROM local/busybox\nRUN exit 7\n' });
    const done = await runBuild(deps(env.registry), build.id, { final: false });
    assert.equal(done.state, 'failed');
    assert.match(done.detail ?? '', /Image build failed/);
    assert.equal(github.latest('acme', 'failing', build.event.sha).get('slipway/failing')?.state, 'failure');
  });

  it('ends a commit the remote does not have as an error naming it', async () => {
    const build = await store.create('failing', { kind: 'push', deliveryId: randomUUID(), repository: 'acme/failing', cloneUrl: repo.url, sha: 'd'.repeat(40), branch: 'main' });
    const done = await runBuild(deps(env.registry), build.id, { final: false });
    assert.equal(done.state, 'error');
    assert.match(done.detail ?? '', /commit d{40} is not in/);
  });
});
