/**
 * GitHub and Slack misbehaving while builds and deploys run: statuses end right (one final per
 * context, never pending after it), deploys happen regardless, and Slack is told once it is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, statusProblems, type Cluster } from './cluster.ts';

describe('GitHub and Slack outages', { timeout: 300_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ services: 3 });
    c.startWorker();
  });
  after(async () => c?.close());

  it('GitHub answering 502 through the first part of a build: statuses end in order once it is back', async () => {
    const [service] = c.services;
    c.github.outage(502);
    const { id, sha } = await c.push(service!, 'Through a GitHub outage', { buildSeconds: 2 });
    await c.until(id, 'the build stage', (b) => b.stages.some((s) => s.name === 'build' && s.state === 'running'), 60_000);
    c.github.recover();
    const done = await c.settled(id);
    assert.equal(done.state, 'passed', done.detail);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded']);
    assert.equal((await c.finalStatus(sha, `slipway/${service!.name}`)).state, 'success');
    assert.equal((await c.finalStatus(sha, `slipway/${service!.name}/production`)).state, 'success');
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
    assert.ok(c.github.rejected.some((r) => r.status === 502), 'GitHub was down for some posts');
  });

  it('a secondary rate limit (403) and a 429 with Retry-After on the way: every status still lands, in order', async () => {
    const [, service] = c.services;
    c.github.failNext(403);
    const { id, sha } = await c.push(service!, 'Through rate limits');
    await c.until(id, 'the build stage', (b) => b.stages.some((s) => s.name !== 'clone' && s.state !== 'pending'), 60_000);
    c.github.failNext(429, { retryAfter: 1 });
    const done = await c.settled(id);
    assert.equal(done.state, 'passed', done.detail);
    assert.equal((await c.finalStatus(sha, `slipway/${service!.name}`)).state, 'success');
    assert.equal((await c.finalStatus(sha, `slipway/${service!.name}/production`)).state, 'success');
    assert.deepEqual(statusProblems(c.github.statuses.filter((s) => s.sha === sha)), []);
    assert.ok(c.github.rejected.some((r) => r.status === 403) && c.github.rejected.some((r) => r.status === 429));
  });

  it('Slack down (500 rollup_error): the deploy succeeds anyway, and the message goes out once Slack is back', async () => {
    const [, , service] = c.services;
    c.slack.outage();
    const { id, sha } = await c.push(service!, 'While Slack is down');
    await c.until(id, 'the rollout', (b) => b.deploys.some((d) => d.state === 'running'), 60_000);
    await c.slack.waitFor(() => c.slack.rejected.some((r) => r.status === 500), 60_000);
    c.slack.recover();
    const done = await c.settled(id);
    assert.deepEqual(done.deploys.map((d) => d.state), ['succeeded']);
    assert.match((await c.answer(service!)) ?? '', /While Slack is down/);
    await c.slack.waitFor((m) => m.some((x) => x.text.includes(sha.slice(0, 7))), 30_000);
    assert.equal(c.slack.messages.filter((m) => m.text.includes(sha.slice(0, 7))).length, 1);
  });
});
