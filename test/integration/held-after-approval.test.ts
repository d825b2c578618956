/**
 * An older build's deploy job that comes late, after a newer build waited in the environment and
 * was approved, on real Redis: it does not wait for approval again, it ends `skipped` saying the
 * newer build was approved, and its commit status says it was not deployed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { DeployRecord } from '../../src/core/build.ts';
import type { CommitStatus } from '../../src/core/ports/status-reporter.ts';
import { holdForApproval } from '../../src/pipeline/hold-for-approval.ts';
import type { DeployDeps } from '../../src/pipeline/deps.ts';
import { publishDeploy } from '../../src/pipeline/publish.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createRedisHeldDeploys } from '../../src/store/redis-held-deploys.ts';
import { testEnv } from '../support/env.ts';
import { seeder } from '../support/seed-builds.ts';

const prefix = `held-after-${randomUUID()}`;
const redis = new Redis(testEnv().redisUrl);
const seed = seeder(testEnv().redisUrl, prefix);
after(async () => void (await Promise.all([redis.quit(), seed.close()])));

describe('an older build after a newer one was approved', () => {
  it('ends skipped, saying the newer build was approved, and never waits', async () => {
    const store = createRedisBuildStore(redis, prefix);
    const held = createRedisHeldDeploys(redis, prefix);
    const statuses: CommitStatus[] = [];
    const deps: DeployDeps & { held: typeof held } = {
      pipelines: [], store, held, publicUrl: 'http://127.0.0.1:1', logger: pino({ level: 'silent' }), deadlineMs: 1000, schedulers: {},
      statuses: { report: async (_repository, _sha, status) => void statuses.push(status) },
      ancestry: { isAncestor: async () => assert.fail('no fence here') },
      notifier: { notify: async () => assert.fail('nothing to notify') },
    };
    const older = await seed.build('web', { message: 'Older' });
    const newer = await seed.build('web', { message: 'Newer' });
    await seed.hold(newer, 'production');
    assert.equal((await held.take('web', 'production'))?.buildId, newer.id, 'approve takes the newer one');

    const { build, deploy } = await store.addDeploy(older.id, { environment: 'production', scheduler: 'docker' });
    // As the deploy job records it: on the build, then as the environment's commit status.
    const record = async (d: DeployRecord) => (await publishDeploy(deps, await store.setDeploy(build.id, d), d), d);
    const ended = await holdForApproval(deps, build, deploy, record);

    const detail = `build ${newer.id} (${newer.event.sha.slice(0, 7)}), newer, was approved already`;
    assert.deepEqual([ended.state, ended.detail], ['skipped', detail]);
    assert.deepEqual((await store.get(older.id))?.deploys.map((d) => [d.state, d.detail]), [['skipped', detail]]);
    assert.equal(await held.peek('web', 'production'), undefined, 'nothing waits for approval');
    assert.deepEqual(statuses.map((s) => [s.state, s.description]), [
      ['pending', 'Waiting for approval to deploy to production'],
      ['success', `Not deployed to production: ${detail}`],
    ]);
  });
});
