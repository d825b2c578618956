import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createDeliveryLedger } from '../../src/store/delivery-ledger.ts';
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

  it('lapses without renewal, and a renewal keeps it', async () => {
    const a = await lock.acquire('web:production', 300);
    assert.ok(a);
    assert.equal(await lock.extend('web:production', a, 300), true);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await lock.acquire('web:production', 300), undefined, 'renewed lease still held');
    await new Promise((r) => setTimeout(r, 250));
    const b = await lock.acquire('web:production', 5_000);
    assert.ok(b, 'lapsed lease taken by another');
    assert.equal(await lock.extend('web:production', a, 5_000), false, 'the old holder cannot renew it');
    await lock.release('web:production', a);
    assert.equal(await lock.acquire('web:production', 5_000), undefined, 'the old holder cannot release it');
  });
});

describe('delivery ledger (real Redis)', () => {
  const ledger = createDeliveryLedger(redis, `ledger-${randomUUID()}`);

  it('takes a delivery once', async () => {
    const id = randomUUID();
    assert.equal(await ledger.claim(id), true);
    assert.equal(await ledger.claim(id), false);
  });

  it('remembers a confirmed delivery for four days, an unconfirmed one for a minute', async () => {
    const confirmed = randomUUID();
    const abandoned = randomUUID();
    await ledger.claim(confirmed);
    await ledger.confirm(confirmed);
    await ledger.claim(abandoned);
    const keys = await redis.keys(`ledger-*:delivery:*`);
    const ttls = new Map(await Promise.all(keys.map(async (k) => [k.split(':').pop(), await redis.ttl(k)] as const)));
    assert.ok((ttls.get(confirmed) ?? 0) > 3 * 24 * 3600, `confirmed ttl ${ttls.get(confirmed)}`);
    assert.ok((ttls.get(abandoned) ?? 0) <= 60 && (ttls.get(abandoned) ?? 0) > 0, `abandoned ttl ${ttls.get(abandoned)}`);
  });

  it('forgets a released claim so GitHub\'s redelivery is taken', async () => {
    const id = randomUUID();
    await ledger.claim(id);
    await ledger.release(id);
    assert.equal(await ledger.claim(id), true);
  });
});
