/**
 * SLIPWAY_KEEP_BUILDS on real Redis, as the worker's janitor runs it after a build: the newest
 * builds of a service stay, older ones go with every key they had, except each environment's
 * current release, the build a rollback there would put back, and builds still in progress.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { removeTempDirs } from '../support/temp-dir.ts';
import { pipeline, redis, world } from '../support/retention-world.ts';

after(removeTempDirs); // the temp folders and test repositories this file made

describe('build retention (SLIPWAY_KEEP_BUILDS, real Redis)', () => {
  it('keeps the newest builds of a service and deletes every key of the older ones, other services untouched', async () => {
    const w = world(3, [pipeline('web', ['production']), pipeline('api', ['production'])]);
    const web = await w.builds(4, 'web');
    const api = await w.builds(2, 'api');
    web.push(...(await w.builds(3, 'web')));
    const before = await w.traces(web[0]!);
    assert.ok(before.some((k) => k.endsWith(':log:tail')) && before.some((k) => k.endsWith(':log:cut')) && before.some((k) => k.endsWith(':announced')), `a full set of keys: ${before}`);

    await w.janitor.afterBuild('web');

    assert.deepEqual(await w.remaining('web'), web.slice(-3));
    for (const id of web.slice(0, 4)) {
      assert.deepEqual(await w.traces(id), [], `nothing of build ${id} is left`);
      assert.equal(await w.store.get(id), undefined);
      assert.deepEqual(await w.store.readLog(id), { lines: [], next: 0 });
    }
    for (const id of [...web.slice(-3), ...api]) {
      assert.equal((await w.store.get(id))?.state, 'passed', `build ${id} kept`);
      assert.equal((await w.store.readLog(id)).next, 30, `build ${id} keeps its log`);
    }
    assert.deepEqual((await w.store.list({ limit: 50 })).map((b) => b.id), [...web.slice(-3), ...api].sort((a, b) => Number(b) - Number(a)));
  });

  it('keeps the build running in each environment and the one a rollback there would put back', async () => {
    const w = world(2, [pipeline('web', ['production', 'staging'])]);
    const [b1, b2, b3, b4, b5, b6, b7, b8] = await w.builds(8, 'web');
    // production: b4, then b1, then b2, then b5 with b2's image (a redeploy: no step back)
    await w.release('web', 'production', b4!);
    await w.release('web', 'production', b1!);
    await w.release('web', 'production', b2!, 'same-image');
    await w.release('web', 'production', b5!, 'same-image');
    await w.release('web', 'staging', b3!);

    await w.janitor.afterBuild('web');

    // kept: newest two (b7, b8); production's current (b5) and rollback target (b1: b2 has the current image); staging's current (b3)
    assert.deepEqual(await w.remaining('web'), [b1, b3, b5, b7, b8]);
    for (const id of [b2, b4, b6]) assert.deepEqual(await w.traces(id!), [], `build ${id} deleted`);
  });

  it('never deletes a build still queued or running, or one with a deploy in progress; they go once finished', async () => {
    const w = world(2, [pipeline('web', ['production'])]);
    const running = await w.build('web', 'running');
    const queued = await w.build('web', 'queued');
    const deploying = await w.build('web');
    await w.deploy(deploying, 'production', 'running');
    const deployed = await w.build('web');
    await w.deploy(deployed, 'production', 'failed');
    const newest = await w.builds(2, 'web');

    await w.janitor.afterBuild('web');
    assert.deepEqual(await w.remaining('web'), [running, queued, deploying, ...newest]);

    await w.store.update(running, (b) => Object.assign(b, { state: 'error' }));
    await w.store.update(queued, (b) => Object.assign(b, { state: 'failed' }));
    await w.deploy(deploying, 'production', 'succeeded');
    await w.janitor.afterBuild('web');
    assert.deepEqual(await w.remaining('web'), newest);
  });

  it('never deletes the release a deploy just recorded, even when asked to', async () => {
    const w = world(1, [pipeline('web', ['production'])]);
    const [old] = await w.builds(3, 'web');
    await w.release('web', 'production', old!);
    const { createBuildRetention } = await import('../../src/store/build-retention.ts');
    const deleted = await createBuildRetention(redis, w.prefix).prune('web', { keep: 1, protect: new Set(), environments: ['production'] });
    assert.equal(deleted.length, 1, 'the build between goes');
    assert.ok(await w.store.get(old!), 'the current release stays though the caller did not name it');
  });

  it('indexes builds recorded before the per-service index, once, at worker start', async () => {
    const w = world(2, [pipeline('web', ['production'])]);
    const ids = await w.builds(5, 'web');
    await redis.del(w.key.serviceIndex('web')); // as an older version left them
    await w.janitor.afterBuild('web');
    assert.equal((await w.store.list({ limit: 50 })).length, 5, 'not indexed yet: nothing to prune');

    await w.janitor.atStart();
    await w.janitor.afterBuild('web');
    assert.deepEqual(await w.remaining('web'), ids.slice(-2));
    assert.ok(await redis.exists(w.key.indexed), 'marked, so later starts skip the scan');
  });
});
