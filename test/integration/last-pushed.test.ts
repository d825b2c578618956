/**
 * BuildStore.lastPushed on real Redis: the newest pushed image of one service, which a new
 * worker takes its build cache from. Run with `npm test -- test/integration/last-pushed.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Build } from '../../src/core/build.ts';
import { LAST_PUSHED_SCAN } from '../../src/core/ports/build-store.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { testEnv } from '../support/env.ts';

describe('the last pushed image of a service', () => {
  const redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
  const store = createRedisBuildStore(redis, `last-pushed-${randomUUID()}`);
  after(() => redis.quit());

  const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
  async function build(service: string, image?: { tag: string; digest?: string }): Promise<Build> {
    const sha = randomUUID().replace(/-/g, '').padEnd(40, '0');
    const created = await store.create(service, { kind: 'push', deliveryId: randomUUID(), repository: `acme/${service}`, cloneUrl: 'file:///nowhere', sha, branch: 'main' });
    if (!image) return created;
    return store.update(created.id, (b) => {
      b.image = { repository: `registry.test/${service}`, ...image };
    });
  }

  it('is the newest build of the service that has a digest: builds not pushed and other services do not count', async () => {
    assert.equal(await store.lastPushed('web'), undefined, 'nothing built yet');
    await build('web', { tag: 'git-1111111', digest: digest(1) });
    await build('web', { tag: 'git-2222222', digest: digest(2) });
    await build('web', { tag: 'git-3333333' }); // built, tests failed: never pushed
    await build('web'); // running, or failed before its build
    await build('api', { tag: 'git-4444444', digest: digest(4) });
    assert.deepEqual(await store.lastPushed('web'), { repository: 'registry.test/web', tag: 'git-2222222', digest: digest(2) });
    assert.deepEqual(await store.lastPushed('api'), { repository: 'registry.test/api', tag: 'git-4444444', digest: digest(4) });
    assert.equal(await store.lastPushed('worker'), undefined);
  });

  it(`looks through no more than the newest ${LAST_PUSHED_SCAN} builds`, async () => {
    await build('batch', { tag: 'git-5555555', digest: digest(5) });
    for (let i = 1; i < LAST_PUSHED_SCAN; i++) await build('batch');
    assert.equal((await store.lastPushed('batch'))?.tag, 'git-5555555', `pushed ${LAST_PUSHED_SCAN - 1} builds ago: found`);
    await build('batch');
    assert.equal(await store.lastPushed('batch'), undefined, `pushed ${LAST_PUSHED_SCAN} builds ago: not looked at`);
  });
});
