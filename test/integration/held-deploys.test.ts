/**
 * The one deploy waiting for approval per environment, on real Redis: a newer build replaces the
 * older one whichever deploy job runs first, approve takes it once, a retry of the same job
 * keeps its place, and an older build never waits once a newer one waited or was approved.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisHeldDeploys } from '../../src/store/redis-held-deploys.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));

describe('held deploys in Redis', () => {
  const held = () => createRedisHeldDeploys(redis, `held-${randomUUID()}`);
  const d = (buildId: string, deployId = `d${buildId}`) => ({ buildId, deployId });

  it('a newer build replaces the one waiting and hands it back', async () => {
    const slots = held();
    assert.deepEqual(await slots.hold('web', 'production', d('9')), { held: true });
    assert.deepEqual(await slots.hold('web', 'production', d('10')), { held: true, replaced: d('9') });
    assert.deepEqual(await slots.peek('web', 'production'), d('10'));
  });

  it('an older build arriving late (by id, not by text: 9 < 10) leaves the newer one waiting', async () => {
    const slots = held();
    await slots.hold('web', 'production', d('10'));
    assert.deepEqual(await slots.hold('web', 'production', d('9')), { held: false, newer: d('10') });
    assert.deepEqual(await slots.peek('web', 'production'), d('10'));
  });

  it('once a newer build was approved (taken from the slot), an older build arriving late does not wait', async () => {
    const slots = held();
    await slots.hold('web', 'production', d('9'));
    await slots.hold('web', 'production', d('10'));
    assert.deepEqual(await slots.take('web', 'production'), d('10'));
    assert.deepEqual(await slots.hold('web', 'production', d('8')), { held: false, newer: d('10'), approved: true });
    assert.equal(await slots.peek('web', 'production'), undefined, 'nothing waits after the approval');
    assert.deepEqual(await slots.hold('web', 'production', d('11')), { held: true }, 'a newer build still waits');
    assert.deepEqual(await slots.hold('web', 'production', d('10', 'd10b')), { held: false, newer: d('11') }, 'newer than all approved is not enough');
  });

  it('the same deploy held again (its job retried) keeps its place; approve takes it exactly once', async () => {
    const slots = held();
    await slots.hold('web', 'production', d('10'));
    assert.deepEqual(await slots.hold('web', 'production', d('10')), { held: true, replaced: d('10') });
    const takes = await Promise.all([slots.take('web', 'production'), slots.take('web', 'production'), slots.take('web', 'production')]);
    assert.deepEqual(takes.filter(Boolean), [d('10')]);
    assert.equal(await slots.peek('web', 'production'), undefined);
    assert.deepEqual(await slots.hold('web', 'staging', d('3')), { held: true }, 'each environment has its own slot');
  });
});
