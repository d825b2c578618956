/** The delivery ledger on real Redis: one step records a delivery's builds, once, whoever asks how often. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { SourceEvent } from '../../src/core/source-event.ts';
import { createBuildRetention } from '../../src/store/build-retention.ts';
import { createDeliveryLedger } from '../../src/store/delivery-ledger.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));

function push(branch = 'main'): SourceEvent {
  return { kind: 'push', deliveryId: randomUUID(), repository: 'acme/mono', cloneUrl: 'file:///srv/git/mono.git', sha: randomUUID().replace(/-/g, '').padEnd(40, '0'), branch };
}

describe('delivery ledger (real Redis)', () => {
  const prefix = `ledger-${randomUUID()}`;
  const ledger = createDeliveryLedger(redis, prefix);
  const store = createRedisBuildStore(redis, prefix);
  const twoServices = (event: SourceEvent) => [{ service: 'web', event }, { service: 'worker', event }];

  it('records one queued build per service on first sight, as the store reads it, and the same builds on every later sight', async () => {
    const id = randomUUID();
    const event = push();
    const first = await ledger.record(id, twoServices(event), 1_700_000_000_000);
    assert.equal(first.seen, false);
    assert.deepEqual(first.builds.map((b) => b.build.service), ['web', 'worker']);
    assert.notEqual(first.builds[0]!.build.id, first.builds[1]!.build.id);
    for (const { build } of first.builds) {
      assert.deepEqual(await store.get(build.id), build, 'the record is what the ledger returned');
      assert.equal(build.state, 'queued');
      assert.equal(build.createdAt, 1_700_000_000_000);
    }
    assert.deepEqual((await store.list({ limit: 10, service: 'worker' })).map((b) => b.id), [first.builds[1]!.build.id], 'in the service index');
    assert.deepEqual((await store.unsettled(Date.now(), 10)).map((u) => u.build.id).sort(), first.builds.map((b) => b.build.id).sort(), 'unsettled until an outcome');

    await store.update(first.builds[0]!.build.id, (b) => Object.assign(b, { state: 'running' }));
    const again = await ledger.record(id, twoServices(event), Date.now());
    assert.equal(again.seen, true);
    assert.deepEqual(again.builds.map((b) => [b.build.id, b.build.state]), [[first.builds[0]!.build.id, 'running'], [first.builds[1]!.build.id, 'queued']], 'as they are now');
  });

  it('takes ids from the build counter, so they never meet ids the store gives', async () => {
    const before = Number(await redis.incr(`${prefix}:build:seq`));
    const { builds } = await ledger.record(randomUUID(), [{ service: 'web', event: push() }], Date.now());
    assert.equal(Number(builds[0]!.build.id), before + 1);
    assert.equal(Number((await store.create('web', push())).id), before + 2);
  });

  it('records once under concurrent first sights of one delivery', async () => {
    const id = randomUUID();
    const event = push('concurrent');
    const all = await Promise.all(Array.from({ length: 20 }, () => ledger.record(id, [{ service: 'api', event }], Date.now())));
    assert.equal(all.filter((r) => !r.seen).length, 1, 'one first sight');
    assert.equal(new Set(all.map((r) => r.builds.map((b) => b.build.id).join())).size, 1, 'the same build for all');
    assert.equal((await store.list({ limit: 10, service: 'api' })).length, 1);
  });

  it('gives each build the one that held its line before it, and the same answer to a redelivery', async () => {
    const first = await ledger.record(randomUUID(), [{ service: 'lines', event: push('feature/a') }], Date.now());
    assert.equal(first.builds[0]!.lineHeldBy, undefined, 'first of its line');
    const id = randomUUID();
    const second = await ledger.record(id, [{ service: 'lines', event: push('feature/a') }], Date.now());
    assert.equal(second.builds[0]!.lineHeldBy, first.builds[0]!.build.id);
    const other = await ledger.record(randomUUID(), [{ service: 'lines', event: push('feature/b') }], Date.now());
    assert.equal(other.builds[0]!.lineHeldBy, undefined, 'another branch is another line');
    const again = await ledger.record(id, [{ service: 'lines', event: push('feature/a') }], Date.now());
    assert.equal(again.builds[0]!.lineHeldBy, first.builds[0]!.build.id, 'not taken again');
  });

  it('remembers a delivery for four days, as long as GitHub may redeliver it', async () => {
    const id = randomUUID();
    await ledger.record(id, [{ service: 'web', event: push() }], Date.now());
    const ttl = await redis.ttl(`${prefix}:delivery:${id}`);
    assert.ok(ttl > 3 * 24 * 3600, `ttl ${ttl}`);
  });

  it('leaves out of a later sight a record retention removed, and records nothing again', async () => {
    const id = randomUUID();
    const { builds } = await ledger.record(id, [{ service: 'pruned', event: push() }], Date.now());
    await store.update(builds[0]!.build.id, (b) => Object.assign(b, { state: 'passed', finishedAt: Date.now() }));
    assert.deepEqual(await createBuildRetention(redis, prefix).prune('pruned', { keep: 0, protect: new Set(), environments: [] }), [builds[0]!.build.id]);
    assert.deepEqual(await ledger.record(id, [{ service: 'pruned', event: push() }], Date.now()), { seen: true, builds: [] });
    assert.equal((await store.list({ limit: 10, service: 'pruned' })).length, 0);
  });

  it('counts a delivery remembered in an older form as done: a plain string, or a hash marked queued', async () => {
    const plain = randomUUID();
    await redis.set(`${prefix}:delivery:${plain}`, String(Date.now()), 'EX', 60);
    assert.deepEqual(await ledger.record(plain, [{ service: 'web', event: push() }], Date.now()), { seen: true, builds: [] });
    const confirmed = randomUUID();
    await redis.hset(`${prefix}:delivery:${confirmed}`, 'builds', '1', 'state', 'queued');
    assert.deepEqual(await ledger.record(confirmed, [{ service: 'web', event: push() }], Date.now()), { seen: true, builds: [] });
  });
});
