/**
 * Superseding on real Redis: each queued build takes its line of work (branch or pull request)
 * and cancels the build it took it from, with one read however many builds the service has.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Build } from '../../src/core/build.ts';
import type { SourceEvent } from '../../src/core/source-event.ts';
import { supersedeOlder, type SupersedeDeps } from '../../src/pipeline/supersede.ts';
import { createBuildLines } from '../../src/store/build-lines.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createRedisCancelRequests } from '../../src/store/redis-cancel-requests.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
after(async () => void (await redis.quit()));

function event(over: Partial<SourceEvent> = {}): SourceEvent {
  return { kind: 'push', deliveryId: randomUUID(), repository: 'acme/web', cloneUrl: 'file:///srv/git/web.git', sha: randomUUID().replace(/-/g, '').padEnd(40, '0'), branch: 'main', ...over };
}

describe('superseding through build lines', () => {
  const prefix = `lines-${randomUUID()}`;
  const store = createRedisBuildStore(redis, prefix);
  const claimLine = createBuildLines(redis, prefix);
  const deps: SupersedeDeps = {
    store,
    statuses: { report: async () => {} },
    publicUrl: 'http://slipway.test',
    cancels: createRedisCancelRequests(redis, prefix),
    withdraw: async () => true, // no worker here: every build is still on the (notional) queue
    claimLine,
  };
  const queue = async (over: Partial<SourceEvent> = {}): Promise<Build> => {
    const build = await store.create('web', event(over));
    return build;
  };

  it('a line gives each build the one before it; a late, older build takes nothing', async () => {
    assert.equal(await claimLine('api', 'push:main', '7'), undefined);
    assert.equal(await claimLine('api', 'push:main', '9'), '7');
    assert.equal(await claimLine('api', 'push:main', '8'), undefined, 'older than the holder');
    assert.equal(await claimLine('api', 'push:main', '10'), '9');
    assert.equal(await claimLine('api', 'push:dev', '11'), undefined, 'another branch is another line');
    assert.equal(await claimLine('api', 'push:main', '10'), undefined, 'the same build twice');
  });

  it('each push cancels the open build before it on its branch, and only that one', async () => {
    const first = await queue();
    assert.deepEqual(await supersedeOlder(deps, first), []);
    const other = await queue({ branch: 'feature/x' });
    assert.deepEqual(await supersedeOlder(deps, other), []);
    const second = await queue();
    assert.deepEqual(await supersedeOlder(deps, second), [first.id]);
    const third = await queue();
    assert.deepEqual(await supersedeOlder(deps, third), [second.id]);
    assert.equal((await store.get(first.id))?.state, 'cancelled');
    assert.match((await store.get(second.id))?.detail ?? '', new RegExp(`^Superseded by ${third.event.sha.slice(0, 7)}`));
    assert.equal((await store.get(other.id))?.state, 'queued');
    assert.equal((await store.get(third.id))?.state, 'queued');
  });

  it('a finished build before it is left alone; pull requests have lines of their own; a rerun takes none', async () => {
    const done = await queue({ branch: 'release' });
    await supersedeOlder(deps, done);
    await store.update(done.id, (b) => Object.assign(b, { state: 'passed', finishedAt: Date.now() }));
    const after = await queue({ branch: 'release' });
    assert.deepEqual(await supersedeOlder(deps, after), []);
    assert.equal((await store.get(done.id))?.state, 'passed');

    const pr = (n: number) => ({ kind: 'pull_request' as const, branch: 'main', pullRequest: { number: n, baseBranch: 'main', fork: false } });
    const pr1 = await queue(pr(1));
    assert.deepEqual(await supersedeOlder(deps, pr1), []);
    const pr2 = await queue(pr(2));
    assert.deepEqual(await supersedeOlder(deps, pr2), [], 'another pull request with the same head branch');
    const pr1again = await queue(pr(1));
    assert.deepEqual(await supersedeOlder(deps, pr1again), [pr1.id]);

    const rerun = await store.create('web', after.event);
    const asRerun = await store.update(rerun.id, (b) => Object.assign(b, { rerunOf: after.id }));
    assert.deepEqual(await supersedeOlder(deps, asRerun), []);
    assert.equal((await store.get(after.id))?.state, 'queued');
  });
});
