import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisLock } from '../../src/store/redis-lock.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));

describe('deploy lease (real Redis)', () => {
  const lock = createRedisLock(redis, `lock-${randomUUID()}`);

  it('is held by one holder until released', async () => {
    const a = await lock.acquire('hello:production', 5_000);
    assert.ok(a);
    assert.equal(await lock.acquire('hello:production', 5_000), undefined);
    assert.ok(await lock.acquire('hello:staging', 5_000), 'another target is free');
    await lock.release('hello:production', a);
    assert.ok(await lock.acquire('hello:production', 5_000));
  });

  /** Takes `key` for 5 s as soon as it is free (bounded: 10 s); the new holder's token, or undefined. */
  const takeWhenFree = async (key: string): Promise<string | undefined> => {
    let taken: string | undefined;
    for (const deadline = Date.now() + 10_000; !taken && Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      taken = await lock.acquire(key, 5_000);
    }
    return taken;
  };

  it('lapses without renewal, and a renewal keeps it', async () => {
    // Waits only ever run long on a busy machine: each check holds however late it comes (a
    // renewal far longer than the wait; a lapse waited for, and no earlier than its ttl).
    const a = await lock.acquire('web:production', 300);
    assert.ok(a);
    assert.equal(await lock.extend('web:production', a, 30_000), true);
    // A twin taken after it with the same ttl and never renewed: once it lapses, so would have the first.
    assert.ok(await lock.acquire('web:twin', 300));
    assert.ok(await takeWhenFree('web:twin'), 'the twin lapsed');
    assert.equal(await lock.acquire('web:production', 300), undefined, 'renewed lease still held');
    const lastRenewal = Date.now();
    assert.equal(await lock.extend('web:production', a, 300), true);
    const b = await takeWhenFree('web:production');
    assert.ok(b, 'lapsed lease taken by another');
    assert.ok(Date.now() - lastRenewal >= 290, 'not before its ttl ran out');
    assert.equal(await lock.extend('web:production', a, 5_000), false, 'the old holder cannot renew it');
    await lock.release('web:production', a);
    assert.equal(await lock.acquire('web:production', 5_000), undefined, 'the old holder cannot release it');
  });
});
