import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { testEnv } from '../support/env.ts';
import { helloApp, startHarness, type Harness } from './harness.ts';

/**
 * SLIPWAY_KEEP_BUILDS through the real worker: once a newer build of the service finished, the
 * build past the limit is gone from the API (record and log) and its image from the worker's engine.
 */
describe('builds past SLIPWAY_KEEP_BUILDS', { timeout: 120_000 }, () => {
  let h: Harness;
  const docker = createDockerClient(testEnv().dockerHost);
  const image = (sha: string) => `${h.registry}/${h.service}:git-${sha.slice(0, 7)}`;
  const inEngine = (name: string) => docker.getImage(name).inspect().then(() => true, () => false);
  before(async () => {
    h = await startHarness({ env: { SLIPWAY_KEEP_BUILDS: '1' } });
  });
  after(async () => h?.close());

  it('are deleted with their log and image after the next build of the service finishes', async () => {
    // A branch no deploy entry names: builds and pushes, never deploys, so nothing protects the older one.
    const first = h.repo.commit(helloApp('Hello one'), 'one', 'feature');
    const older = (await h.push(first, 'one', 'feature')).body.queued[0].id as string;
    const olderBuild = await h.finished(older);
    assert.equal(olderBuild.state, 'passed', olderBuild.detail);
    assert.equal(await inEngine(image(first)), true, 'the build left its image in the engine');

    const second = h.repo.commit(helloApp('Hello two'), 'two', 'feature');
    const newer = (await h.push(second, 'two', 'feature')).body.queued[0].id as string;
    assert.equal((await h.finished(newer)).state, 'passed');

    // The janitor runs right after the build job records its outcome: wait for it, bounded.
    const until = Date.now() + 15_000;
    while ((await fetch(`${h.slipway.url}/api/builds/${older}`)).status !== 404) {
      assert.ok(Date.now() < until, `build ${older} still there 15 s after build ${newer} finished`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await fetch(`${h.slipway.url}/api/builds/${older}/logs`)).status, 404);
    // The janitor prunes images after it deleted the records (it keeps the images of what is left).
    while (await inEngine(image(first))) {
      assert.ok(Date.now() < until, `the image of build ${older} still in the engine 15 s after build ${newer} finished`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await inEngine(image(second)), true, 'the kept build keeps its image');
    assert.match(await h.buildLog(newer), /Build passed/);
  });
});
