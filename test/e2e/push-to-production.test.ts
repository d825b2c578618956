import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';
import { type Harness, helloApp, pushNeverHealthy, SECRET, startHarness, TOKEN } from './harness.ts';

/**
 * The walking skeleton, end to end: signed GitHub events in; statuses, registry images, a running
 * service and Slack messages out. One harness (one service) for the whole story, in order.
 */
describe('push to production on one machine', { timeout: 600_000 }, () => {
  let h: Harness;
  let firstSha = '';
  before(async () => {
    h = await startHarness();
    // GitHub pings a webhook when it is set up; that first delivery also pays the process's
    // one-off costs (first connections, lazy set-up), which took the first push to 530 ms of
    // the second below on a loaded machine. The pushes are measured against a running server.
    assert.equal((await h.send('ping', { zen: 'Design for failure.', hook_id: 1, repository: { full_name: h.repository } })).status, 200);
  });
  after(async () => h?.close());


  it('answers a push with 202 before any git or Docker work, and posts pending within a second', async (t) => {
    firstSha = h.repo.commit(helloApp('Hello, version one'), 'First release\n\nwith details');
    const started = Date.now();
    const res = await h.push(firstSha, 'First release\n\nwith details');
    const answeredIn = Date.now() - started;
    assert.equal(res.status, 202);
    assert.equal(res.body.queued.length, 1);
    assert.ok(answeredIn < 1000, `answered in ${answeredIn} ms`);
    await h.github.waitFor((s) => s.some((x) => x.sha === firstSha && x.state === 'pending'), 1000);
    t.diagnostic(`answered in ${answeredIn} ms, pending posted ${Date.now() - started} ms after the push`);
    const first = h.github.statuses.find((s) => s.sha === firstSha)!;
    assert.equal(first.context, `slipway/${h.service}`);
    // The server's Queued, unless the worker took the build first: its progress is a later step,
    // and the status gate then drops the Queued rather than post it after.
    assert.ok(['Queued', 'Fetching the commit'].includes(first.description ?? ''), `first status: ${first.description}`);
    assert.equal(first.target_url, `http://slipway.test/builds/${res.body.queued[0].id}`);

    const build = await h.finished(res.body.queued[0].id);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.stages.map((s) => [s.name, s.state]), [['clone', 'passed'], ['build', 'passed'], ['test', 'passed'], ['push', 'passed']]);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state]), [['production', 'succeeded']]);
    assert.equal(build.event.author, 'ada');

    // The image is in the registry under git-<sha7>, with the digest the build recorded.
    const digest = await h.manifestDigest(`git-${firstSha.slice(0, 7)}`);
    assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(build.image?.digest, digest);
    assert.equal(await h.manifestDigest('latest'), undefined);

    // The service runs the new release.
    assert.match((await h.serviceAnswer()) ?? '', /Hello, version one/);

    // Statuses: build context ends in success, deploy context ends in success (posted a moment after the record is final).
    await h.github.waitFor(() => h.github.latest('acme', h.service, firstSha).get(`slipway/${h.service}/production`)?.state !== 'pending', 10_000);
    const latest = h.github.latest('acme', h.service, firstSha);
    assert.equal(latest.get(`slipway/${h.service}`)?.state, 'success');
    assert.equal(latest.get(`slipway/${h.service}/production`)?.state, 'success');
    const buildStates = h.github.statuses.filter((s) => s.sha === firstSha && s.context === `slipway/${h.service}`).map((s) => s.description);
    assert.deepEqual(buildStates.filter((d) => d !== 'Queued').slice(0, 1), ['Fetching the commit']);
    assert.ok(buildStates.indexOf('Queued') <= 0, `Queued, when posted, comes first: ${buildStates}`);
    assert.ok(h.github.rejected.length === 0, JSON.stringify(h.github.rejected));

    // Slack: one message for the deploy, saying what a person needs.
    await h.slack.waitFor((m) => m.length === 1, 5000);
    const text = JSON.stringify(h.slack.messages[0]!.body);
    for (const part of [h.service, 'production', firstSha.slice(0, 7), 'First release', 'by ada', `http://slipway.test/builds/${build.id}`]) {
      assert.ok(text.includes(part), `Slack message lacks ${part}: ${text}`);
    }

    // The full log is kept and served.
    const log = await h.buildLog(build.id);
    assert.match(log, /check\.sh: index\.html says hello/);
    assert.match(log, /\[production\] Deploy succeeded/);
  });


  it('a redelivery of the same delivery queues nothing new', async () => {
    const payload = pushPayload({ repository: h.repository, cloneUrl: h.repo.url, branch: 'main', sha: firstSha });
    const first = await h.send('push', payload, { delivery: 'same-guid' });
    const again = await h.send('push', payload, { delivery: 'same-guid' });
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.match(again.body.skipped, /already received/);
    await h.finished(first.body.queued[0].id);
    const { builds } = await (await fetch(`${h.slipway.url}/api/builds?limit=200`)).json() as { builds: { event: { deliveryId: string } }[] };
    assert.equal(builds.filter((b) => b.event.deliveryId === 'same-guid').length, 1);
  });

  it('a push whose tests fail: failure status, nothing pushed, nothing deployed, failing output in the log', async () => {
    const sha = h.repo.commit(helloApp('Goodbye'), 'Break the page');
    const res = await h.push(sha, 'Break the page');
    const build = await h.finished(res.body.queued[0].id);
    assert.equal(build.state, 'failed');
    assert.match(build.detail ?? '', /Tests failed \(exit code 1\)/);
    assert.equal(build.deploys.length, 0);
    assert.equal(await h.manifestDigest(`git-${sha.slice(0, 7)}`), undefined);
    assert.match((await h.serviceAnswer()) ?? '', /Hello, version one/);
    await h.github.waitFor(() => h.github.latest('acme', h.service, sha).get(`slipway/${h.service}`)?.state !== 'pending', 10_000);
    const latest = h.github.latest('acme', h.service, sha);
    assert.equal(latest.get(`slipway/${h.service}`)?.state, 'failure');
    assert.match(latest.get(`slipway/${h.service}`)?.description ?? '', /Tests failed/);
    assert.equal(latest.get(`slipway/${h.service}/production`), undefined);
    const log = await h.buildLog(build.id);
    assert.match(log, /\$ sh \/check\.sh/);
    assert.match(log, /Tests failed \(exit code 1\)/);
  });

  it('a pull request is built and tested with statuses on its head, never pushed or deployed', async () => {
    const sha = h.repo.commit(helloApp('Hello from a branch'), 'Try something', 'feature-x');
    const slackBefore = h.slack.messages.length;
    const res = await h.send('pull_request', pullRequestPayload({ action: 'opened', repository: h.repository, cloneUrl: h.repo.url, sha, branch: 'feature-x' }));
    assert.equal(res.status, 202);
    const build = await h.finished(res.body.queued[0].id);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.stages.map((s) => s.state), ['passed', 'passed', 'passed', 'skipped']);
    assert.equal(build.deploys.length, 0);
    assert.equal(await h.manifestDigest(`git-${sha.slice(0, 7)}`), undefined);
    await h.github.finalStatus(sha, `slipway/${h.service}`);
    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}`)?.state, 'success');
    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`), undefined);
    assert.match((await h.serviceAnswer()) ?? '', /Hello, version one/);
    assert.equal(h.slack.messages.length, slackBefore);
  });

  it('a pull request from a fork is built and tested without secrets, never pushed or deployed', async () => {
    const sha = h.repo.commit(helloApp('Hello from a fork'), 'Fork change', 'fork-branch');
    const res = await h.send('pull_request', pullRequestPayload({ action: 'synchronize', repository: h.repository, cloneUrl: h.repo.url, sha, branch: 'fork-branch', headRepository: 'mallory/hello' }));
    const build = await h.finished(res.body.queued[0].id);
    assert.equal(build.state, 'passed', build.detail);
    assert.equal(build.event.pullRequest?.fork, true);
    assert.equal(build.stages.find((s) => s.name === 'push')?.state, 'skipped');
    assert.equal(build.deploys.length, 0);
    assert.equal(await h.manifestDigest(`git-${sha.slice(0, 7)}`), undefined);
    const log = await h.buildLog(build.id);
    assert.match(log, /Pull request from a fork: built and tested without secrets/);
  });

  it('a release that never becomes healthy is rolled back and reported', async () => {
    const { sha, build } = await pushNeverHealthy(h);
    assert.equal(build.state, 'passed');
    const deploy = build.deploys[0]!;
    assert.equal(deploy.state, 'rolled_back', deploy.detail);
    assert.match((await h.serviceAnswer()) ?? '', /Hello, version one/);
    // The deploy's record is final a moment before its status is posted.
    await h.github.waitFor(() => h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`)?.state !== 'pending', 10_000);
    const latest = h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`);
    assert.equal(latest?.state, 'failure');
    assert.match(latest?.description ?? '', /^Rolled back in production/);
    await h.slack.waitFor((m) => m.some((x) => x.text.startsWith('Rolled back') && x.text.includes(sha.slice(0, 7))), 5000);
  });

  it('an older commit is never deployed over a newer one', async () => {
    const res = await h.push(firstSha, 'First release');
    const build = await h.finished(res.body.queued[0].id);
    // firstSha is what production runs (the broken one was rolled back), so this is a plain redeploy.
    assert.equal(build.deploys[0]?.state, 'succeeded');
    const newer = h.repo.commit(helloApp('Hello, version two'), 'Second release');
    const second = await h.finished((await h.push(newer, 'Second release')).body.queued[0].id);
    assert.equal(second.deploys[0]?.state, 'succeeded');
    assert.match((await h.serviceAnswer()) ?? '', /version two/);
    const stale = await h.finished((await h.push(firstSha, 'First release')).body.queued[0].id);
    assert.equal(stale.deploys[0]?.state, 'skipped');
    assert.match(stale.deploys[0]?.detail ?? '', /newer .* is already deployed/);
    assert.match((await h.serviceAnswer()) ?? '', /version two/);
  });

  it('never writes the GitHub token, the webhook secret or the Slack URL to either log', async () => {
    const { builds } = (await (await fetch(`${h.slipway.url}/api/builds?limit=200`)).json()) as { builds: { id: string }[] };
    const buildLogs = await Promise.all(builds.map(async (b) => (await fetch(`${h.slipway.url}/api/builds/${b.id}/logs`)).text()));
    const everything = [...buildLogs, ...h.operatorLog].join('\n');
    assert.ok(h.operatorLog.length > 10, 'the operator log was captured');
    for (const secret of [TOKEN, SECRET, h.slack.url]) assert.ok(!everything.includes(secret), `a log contains ${secret}`);
  });
});
