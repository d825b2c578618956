/**
 * SLIPWAY_KEEP_BUILDS and previews through the real worker, Redis, engine and registry: the build a
 * preview runs stays (record, log, image) however many builds came after it; once its pull request closed and the preview was removed, the next janitor
 * pass deletes it and its image.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { pullRequestPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { freePortRange } from '../support/free-port.ts';
import { helloApp, productionAndPreviews, startHarness, type Harness } from './harness.ts';

const PR = 12;

describe('a preview past SLIPWAY_KEEP_BUILDS', { timeout: 240_000 }, () => {
  let h: Harness;
  let port: number;
  const docker = createDockerClient(testEnv().dockerHost);
  const inEngine = (name: string) => docker.getImage(name).inspect().then(() => true, () => false);
  const status = async (id: string) => (await fetch(`${h.slipway.url}/api/builds/${id}`)).status;
  before(async () => {
    port = await freePortRange(1);
    h = await startHarness({
      env: { SLIPWAY_KEEP_BUILDS: '1' },
      pipeline: productionAndPreviews(`${port}-${port}`),
    });
  });
  after(async () => {
    for (const suffix of ['', '-previous', '-next']) await docker.getContainer(`slipway-${h?.service}-pr-${PR}${suffix}`).remove({ force: true }).catch(() => undefined);
    await h?.close();
  });

  const pullRequest = (action: string, sha: string) => {
    const payload = pullRequestPayload({ action, repository: h.repository, cloneUrl: h.repo.url, sha, branch: 'feature/preview' });
    payload.number = payload.pull_request.number = PR;
    return h.send('pull_request', payload);
  };
  /** a build of a branch no entry deploys: it only moves the preview's build past the limit */
  const featureBuild = async (text: string) => {
    const sha = h.repo.commit(helloApp(text), text, 'feature/other');
    const build = await h.finished((await h.push(sha, text, 'feature/other')).body.queued[0].id);
    assert.equal(build.state, 'passed', build.detail);
    return build.id;
  };
  /** the janitor runs after the build job recorded its outcome: wait for what it deletes, bounded */
  const gone = async (what: string, check: () => Promise<boolean>) => {
    const until = Date.now() + 20_000;
    while (!(await check())) {
      assert.ok(Date.now() < until, `${what} still there 20 s after the last build finished`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  let preview: { id: string; image: string; sha: string };

  it('keeps the build a preview runs, with its log and image, however many builds came after it', async () => {
    const sha = h.repo.commit(helloApp('Hello, kept preview'), 'Preview', 'feature/preview');
    const opened = await h.finished((await pullRequest('opened', sha)).body.queued[0].id);
    assert.deepEqual(opened.deploys.map((d) => [d.environment, d.state]), [[`pr-${PR}`, 'succeeded']], opened.detail);
    preview = { id: opened.id, image: `${h.registry}/${h.service}:${opened.image!.tag}`, sha };

    const first = await featureBuild('Hello, other one');
    await featureBuild('Hello, other two');
    // The pass after the second build deleted the first: the preview's build, older, was past the limit too.
    await gone(`build ${first}`, async () => (await status(first)) === 404);
    assert.equal(await status(preview.id), 200, 'the preview\'s build is kept');
    assert.match(await h.buildLog(preview.id), /Build passed/);
    assert.equal(await inEngine(preview.image), true, 'its image stays in the worker\'s engine');
    assert.ok(await h.manifestDigest(opened.image!.tag), 'and in the registry');
  });

  it('deletes it and its image at the next pass once the pull request closed and the preview was removed', async () => {
    assert.ok(preview, 'the preview was deployed');
    const res = await pullRequest('closed', preview.sha);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await gone('the preview\'s container', async () => (await docker.getContainer(`slipway-${h.service}-pr-${PR}`).inspect().then(() => false, () => true)));

    const newest = await featureBuild('Hello, other three');
    await gone(`build ${preview.id}`, async () => (await status(preview.id)) === 404);
    await gone(preview.image, async () => !(await inEngine(preview.image)));
    assert.equal(await status(newest), 200);
  });
});
