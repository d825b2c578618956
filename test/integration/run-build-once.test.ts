/**
 * A build job that runs again after its worker died past the outcome (BullMQ takes a stalled job
 * again) does nothing: no second build, no second status, no second deploy.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { BuildDeps } from '../../src/pipeline/deps.ts';
import { runBuild } from '../../src/pipeline/run-build.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));

it('a build that already has its outcome is not run again', async () => {
  const store = createRedisBuildStore(redis, `once-${randomUUID()}`);
  const build = await store.create('web', { kind: 'push', deliveryId: randomUUID(), repository: 'acme/web', cloneUrl: 'file:///srv/web.git', sha: 'a'.repeat(40), branch: 'main' });
  await store.update(build.id, (b) => Object.assign(b, { state: 'passed', detail: 'Tests passed; pushed git-aaaaaaa', finishedAt: Date.now() }));
  const never = (what: string) => () => assert.fail(`${what} was used`);
  const deps = {
    pipelines: [{ service: 'web', repository: 'acme/web', dockerfile: 'Dockerfile', deploy: [{ branch: 'main', environment: 'production', scheduler: 'docker', settings: {} }], file: 'web.yml' }],
    store, logger: pino({ level: 'silent' }), publicUrl: 'http://slipway', registry: '127.0.0.1:5000', timeoutMs: 60_000,
    statuses: { report: never('the status reporter') },
    source: { fetch: never('git') }, builder: { build: never('the builder') }, tests: { run: never('the test runner') }, pusher: { push: never('the pusher') },
    enqueueDeploy: never('the deploy queue'),
  } as unknown as BuildDeps;
  const again = await runBuild(deps, build.id, { final: false });
  assert.equal(again.state, 'passed');
  assert.deepEqual((await store.get(build.id))?.deploys, []);
});
