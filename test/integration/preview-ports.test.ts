/**
 * Preview ports on real Redis: each preview keeps its port across redeploys, no port has two
 * holders (however many take at once), a freed port is taken again, and a full range says so.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisPreviewPorts } from '../../src/store/redis-preview-ports.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
after(async () => void (await redis.quit()));

describe('preview ports in Redis', () => {
  const fresh = () => createRedisPreviewPorts(redis, `ports-${randomUUID()}`);
  const range = { first: 4100, last: 4102 };

  it('gives each preview the lowest free port and the same one on every redeploy', async () => {
    const ports = fresh();
    assert.equal(await ports.take('hello:pr-1', range), 4100);
    assert.equal(await ports.take('hello:pr-2', range), 4101);
    assert.equal(await ports.take('hello:pr-1', range), 4100, 'a redeploy keeps its port');
    assert.equal(await ports.held('hello:pr-2'), 4101);
  });

  it('hands a freed port to the next preview, and freeing twice changes nothing', async () => {
    const ports = fresh();
    await ports.take('hello:pr-1', range);
    await ports.take('hello:pr-2', range);
    await ports.free('hello:pr-1');
    await ports.free('hello:pr-1');
    assert.equal(await ports.held('hello:pr-1'), undefined);
    assert.equal(await ports.take('hello:pr-3', range), 4100);
    assert.equal(await ports.held('hello:pr-2'), 4101, 'the other preview keeps its port');
  });

  it('answers undefined once every port of the range is held, and takes no port then', async () => {
    const ports = fresh();
    for (const n of [1, 2, 3]) assert.equal(await ports.take(`hello:pr-${n}`, range), 4099 + n);
    assert.equal(await ports.take('hello:pr-4', range), undefined);
    assert.equal(await ports.held('hello:pr-4'), undefined);
  });

  it('never gives one port to two services whose ranges overlap', async () => {
    const ports = fresh();
    assert.equal(await ports.take('hello:pr-1', range), 4100);
    assert.equal(await ports.take('shop:pr-1', { first: 4100, last: 4200 }), 4101);
  });

  it('moves a preview into a changed range, giving its old port back', async () => {
    const ports = fresh();
    assert.equal(await ports.take('hello:pr-1', range), 4100);
    assert.equal(await ports.take('hello:pr-1', { first: 5000, last: 5001 }), 5000);
    assert.equal(await ports.take('hello:pr-2', range), 4100);
  });

  it('gives distinct ports to previews taking at the same moment', async () => {
    const ports = fresh();
    const wide = { first: 6000, last: 6049 };
    const taken = await Promise.all(Array.from({ length: 50 }, (_, i) => ports.take(`hello:pr-${i + 1}`, wide)));
    assert.equal(new Set(taken).size, 50);
    assert.ok(taken.every((p) => p !== undefined && p >= 6000 && p <= 6049), JSON.stringify(taken));
  });
});
