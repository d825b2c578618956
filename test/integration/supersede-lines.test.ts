/**
 * Superseding on real Redis: each build takes its line of work (branch or pull request) in the step
 * that records its delivery, and cancels the build it took it from, with one read however many
 * builds the service has.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { SourceEvent } from '../../src/core/source-event.ts';
import { cancelSuperseded } from '../../src/pipeline/supersede.ts';
import type { CancelDeps } from '../../src/pipeline/cancel-build.ts';
import { CLAIM_LINE_LUA } from '../../src/store/build-lines.ts';
import { createDeliveryLedger, type RecordedBuild } from '../../src/store/delivery-ledger.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createRedisCancelRequests } from '../../src/store/redis-cancel-requests.ts';
import { redisScript } from '../../src/store/redis-script.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
after(async () => void (await redis.quit()));

function event(over: Partial<SourceEvent> = {}): SourceEvent {
  return { kind: 'push', deliveryId: randomUUID(), repository: 'acme/web', cloneUrl: 'file:///srv/git/web.git', sha: randomUUID().replace(/-/g, '').padEnd(40, '0'), branch: 'main', ...over };
}

/** The line-claiming Lua function on its own, for ids the ledger's counter would never give out of order. */
const CLAIM = redisScript('test_claim_line', 1, `${CLAIM_LINE_LUA}return claim_line(KEYS[1], ARGV[1], ARGV[2])`);

describe('superseding through build lines', () => {
  const prefix = `lines-${randomUUID()}`;
  const store = createRedisBuildStore(redis, prefix);
  const ledger = createDeliveryLedger(redis, prefix);
  const deps: CancelDeps = {
    store,
    statuses: { report: async () => {} },
    publicUrl: 'http://slipway.test',
    cancels: createRedisCancelRequests(redis, prefix),
    withdraw: async () => true, // no worker here: every build is still on the (notional) queue
  };
  /** One push or pull request delivery for service `web`, recorded as the webhook records it. */
  const queue = async (over: Partial<SourceEvent> = {}): Promise<RecordedBuild> => {
    const { builds } = await ledger.record(randomUUID(), [{ service: 'web', event: event(over) }], Date.now());
    return builds[0]!;
  };
  const supersede = (b: RecordedBuild) => cancelSuperseded(deps, b.build, b.lineHeldBy);

  it('a line gives each build the one before it; a late, older build takes nothing', async () => {
    const claim = CLAIM.on(redis);
    const key = `${prefix}:lines:api`;
    assert.equal(await claim(key, 'push:main', '7'), null);
    assert.equal(await claim(key, 'push:main', '9'), '7');
    assert.equal(await claim(key, 'push:main', '8'), null, 'older than the holder');
    assert.equal(await claim(key, 'push:main', '10'), '9');
    assert.equal(await claim(key, 'push:dev', '11'), null, 'another branch is another line');
    assert.equal(await claim(key, 'push:main', '10'), null, 'the same build twice');
  });

  it('each push cancels the open build before it on its branch, and only that one', async () => {
    const first = await queue();
    assert.deepEqual(await supersede(first), []);
    const other = await queue({ branch: 'feature/x' });
    assert.deepEqual(await supersede(other), []);
    const second = await queue();
    assert.equal(second.lineHeldBy, first.build.id);
    assert.deepEqual(await supersede(second), [first.build.id]);
    const third = await queue();
    assert.deepEqual(await supersede(third), [second.build.id]);
    assert.equal((await store.get(first.build.id))?.state, 'cancelled');
    assert.match((await store.get(second.build.id))?.detail ?? '', new RegExp(`^Superseded by ${third.build.event.sha.slice(0, 7)}`));
    assert.equal((await store.get(other.build.id))?.state, 'queued');
    assert.equal((await store.get(third.build.id))?.state, 'queued');
  });

  it('a finished build before it is left alone; pull requests have lines of their own; a rerun takes none', async () => {
    const done = await queue({ branch: 'release' });
    await store.update(done.build.id, (b) => Object.assign(b, { state: 'passed', finishedAt: Date.now() }));
    const later = await queue({ branch: 'release' });
    assert.equal(later.lineHeldBy, done.build.id);
    assert.deepEqual(await supersede(later), []);
    assert.equal((await store.get(done.build.id))?.state, 'passed');

    const pr = (n: number) => ({ kind: 'pull_request' as const, branch: 'main', pullRequest: { number: n, baseBranch: 'main', fork: false } });
    const pr1 = await queue(pr(1));
    assert.deepEqual(await supersede(pr1), []);
    const pr2 = await queue(pr(2));
    assert.deepEqual(await supersede(pr2), [], 'another pull request with the same head branch');
    const pr1again = await queue(pr(1));
    assert.deepEqual(await supersede(pr1again), [pr1.build.id]);

    const rerun = await store.create('web', later.build.event);
    const asRerun = await store.update(rerun.id, (b) => Object.assign(b, { rerunOf: later.build.id }));
    assert.deepEqual(await cancelSuperseded(deps, asRerun, later.build.id), []);
    assert.equal((await store.get(later.build.id))?.state, 'queued');
  });
});
