import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { helloApp, startHarness, type Harness } from './harness.ts';

/**
 * `test.image`: the tests run before the build, in an image the pipeline names, with the
 * commit's tree at /src. A failing test means no build, no push and no deploy.
 */
describe('tests in an image of their own, before the build', { timeout: 300_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ test: 'image: local/busybox\ncommand: ["sh", "-c", "test -f /src/www/index.html && echo found the page"]\ntimeout: 60' });
  });
  after(async () => h?.close());

  const push = async (sha: string, message: string) => {
    const res = await h.push(sha, message);
    assert.equal(res.status, 202);
    return h.finished(res.body.queued[0].id);
  };
  const log = (id: string) => h.buildLog(id);

  it('a failing test stops everything: no build, no push, no deploy', async () => {
    const app = helloApp('unused');
    const sha = h.repo.commit({ Dockerfile: app.Dockerfile!, 'check.sh': app['check.sh']! }, 'Forget the page');
    const build = await push(sha, 'Forget the page');
    assert.equal(build.state, 'failed');
    assert.equal(build.detail, 'Tests failed (exit code 1)');
    assert.deepEqual(build.stages.map((s) => [s.name, s.state]), [['clone', 'passed'], ['test', 'failed'], ['build', 'pending'], ['push', 'pending']]);
    assert.equal(build.deploys.length, 0);
    assert.equal(await h.manifestDigest(`git-${sha.slice(0, 7)}`), undefined);
    await h.github.finalStatus(sha, `slipway/${h.service}`);
    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}`)?.state, 'failure');
    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`), undefined);
    const text = await log(build.id);
    assert.match(text, /Testing in local\/busybox with the commit's tree at \/src, before the build/);
    assert.doesNotMatch(text, /── build ──|Step 1\//);
  });

  it('a passing test comes first, then the build, the push and the deploy', async () => {
    const sha = h.repo.commit(helloApp('Hello, tested before the build'), 'Add the page');
    const build = await push(sha, 'Add the page');
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.stages.map((s) => [s.name, s.state]), [['clone', 'passed'], ['test', 'passed'], ['build', 'passed'], ['push', 'passed']]);
    const at = (name: string) => build.stages.find((s) => s.name === name)!;
    assert.ok(at('test').finishedAt! <= at('build').startedAt!, 'the test stage ended before the build started');
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state]), [['production', 'succeeded']]);
    assert.equal(build.image?.digest, await h.manifestDigest(`git-${sha.slice(0, 7)}`));
    assert.match((await h.serviceAnswer()) ?? '', /tested before the build/);
    const descriptions = h.github.statuses.filter((s) => s.sha === sha && s.context === `slipway/${h.service}`).map((s) => s.description);
    assert.ok(descriptions.indexOf('Running the tests') < descriptions.indexOf('Building the image'), descriptions.join(' → '));
    assert.match(await log(build.id), /\$ sh -c test -f \/src\/www\/index\.html && echo found the page\nfound the page\n/);
  });
});
