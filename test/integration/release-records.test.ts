/**
 * Release records on real Redis keep how each release came; records written before they kept it
 * (a rollback flag, a `requested` kind, or neither) read with the cause they had.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { ReleaseRecord } from '../../src/core/ports/build-store.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));

describe('release records keep their cause', () => {
  const prefix = `releases-${randomUUID()}`;
  const store = createRedisBuildStore(redis, prefix);
  const base = { service: 'hello', environment: 'production', sha: 'a'.repeat(40), image: 'r/hello@sha256:' + 'a'.repeat(64), deployedAt: 1 };

  it('as recorded, a promotion with the environment it came from', async () => {
    const promoted: ReleaseRecord = { ...base, buildId: '2', requested: 'promote', cause: 'promotion', from: 'staging' };
    await store.recordRelease(promoted);
    assert.deepEqual(await store.release('hello', 'production'), promoted);
    assert.deepEqual(await store.releases('hello', 'production', 1), [promoted]);
  });

  it('records from before the cause existed read with the cause their flags meant', async () => {
    const history = `${prefix}:releases:hello:staging`;
    const legacy = [{ buildId: '5', rollback: true, replaced: '4' }, { buildId: '4', requested: 'approval' }, { buildId: '3', requested: 'promote' }, { buildId: '2', requested: 'deploy' }, { buildId: '1' }];
    await redis.rpush(history, ...legacy.map((r) => JSON.stringify({ ...base, environment: 'staging', ...r })));
    await redis.set(`${prefix}:release:hello:staging`, JSON.stringify({ ...base, environment: 'staging', ...legacy[0] }));
    const read = await store.releases('hello', 'staging', 10);
    assert.deepEqual(read.map((r) => [r.buildId, r.cause]), [['5', 'rollback'], ['4', 'approval'], ['3', 'promotion'], ['2', 'deploy'], ['1', 'push']]);
    assert.equal((await store.release('hello', 'staging'))?.cause, 'rollback');
  });
});
