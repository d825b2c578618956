import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText, type PromExposition } from '../support/prometheus-text.ts';
import { helloApp, startHarness, type Harness } from './harness.ts';

const STAGES = ['clone', 'build', 'test', 'push'];

/**
 * `GET /metrics` after a real build and deploy. The harness runs the server and the worker with
 * separate Redis connections and stores, so what the server reports about builds and deploys
 * came through Redis, as it does when the worker is another process on another host.
 */
describe('GET /metrics after a real build and deploy', { timeout: 300_000 }, () => {
  let h: Harness;
  let buildId = '';
  let scraped: PromExposition;
  let contentType = '';
  before(async () => {
    h = await startHarness();
    const sha = h.repo.commit(helloApp('Hello, metrics'), 'Metrics release');
    const res = await h.push(sha, 'Metrics release');
    assert.equal(res.status, 202);
    buildId = res.body.queued[0].id;
    const build = await h.finished(buildId);
    assert.equal(build.state, 'passed', build.detail);
    // A delivery refused for its signature, so that two statuses are counted.
    assert.equal((await h.send('push', { zen: 'x' }, { signature: 'sha256=' + '0'.repeat(64) })).status, 401);
    // The records are final before BullMQ moves the jobs to completed (the worker still logs, frees
    // its lease, runs the janitor): scrape until no job is waiting or active, within a bound.
    const until = Date.now() + 30_000;
    for (;;) {
      const res2 = await fetch(`${h.slipway.url}/metrics`);
      assert.equal(res2.status, 200);
      contentType = res2.headers.get('content-type') ?? '';
      scraped = parsePrometheusText(await res2.text());
      if (scraped.find('slipway_queue_jobs').filter((x) => x.labels.state !== 'delayed').every((x) => x.value === 0)) break;
      if (Date.now() > until) break; // the queue assertion below says what is left
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  after(async () => h?.close());

  it('answers in the Prometheus text format', () => {
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.equal(scraped.types.get('slipway_builds_total'), 'counter');
    assert.equal(scraped.types.get('slipway_build_stage_duration_seconds'), 'histogram');
    assert.equal(scraped.types.get('slipway_queue_jobs'), 'gauge');
  });

  it('counts the build and the deploy by outcome', () => {
    assert.equal(scraped.value('slipway_builds_total', { service: h.service, outcome: 'passed' }), 1);
    assert.equal(scraped.find('slipway_builds_total', { service: h.service, outcome: 'failed' }).length, 0);
    assert.equal(scraped.value('slipway_deploys_total', { service: h.service, environment: 'production', outcome: 'succeeded' }), 1);
  });

  it('has each stage duration as a histogram: one observation, cumulative buckets, +Inf equal to the count', () => {
    for (const stage of STAGES) {
      const labels = { stage, outcome: 'passed' };
      assert.equal(scraped.value('slipway_build_stage_duration_seconds_count', labels), 1, stage);
      const sum = scraped.value('slipway_build_stage_duration_seconds_sum', labels);
      assert.ok(sum >= 0 && sum < 300, `${stage} took ${sum} s`);
      const buckets = scraped.find('slipway_build_stage_duration_seconds_bucket', labels);
      const values = buckets.map((b) => b.value);
      assert.deepEqual(values, [...values].sort((a, b) => a - b), `${stage} buckets are cumulative`);
      assert.equal(buckets.find((b) => b.labels.le === '+Inf')?.value, 1);
      // The observation is in every bucket at or above its duration, and in none below it.
      for (const b of buckets) assert.equal(b.value, (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)) >= sum ? 1 : 0, `${stage} le=${b.labels.le} (took ${sum} s)`);
    }
  });

  it('has the rollout duration as a histogram by scheduler and outcome', () => {
    const labels = { scheduler: 'docker', outcome: 'succeeded' };
    assert.equal(scraped.value('slipway_deploy_rollout_duration_seconds_count', labels), 1);
    assert.ok(scraped.value('slipway_deploy_rollout_duration_seconds_sum', labels) > 0);
  });

  it('counts webhook answers by status', () => {
    assert.equal(scraped.value('slipway_webhook_responses_total', { status: '202' }), 1);
    assert.equal(scraped.value('slipway_webhook_responses_total', { status: '401' }), 1);
  });

  it('reads waiting and active jobs of both queues from BullMQ (none, once the jobs completed)', () => {
    for (const queue of ['build', 'deploy']) {
      for (const state of ['waiting', 'active']) assert.equal(scraped.value('slipway_queue_jobs', { queue, state }), 0, `${queue} ${state}`);
    }
  });

  it('logs every worker line about the build with its id, and the delivery with its id', () => {
    const lines = h.operatorLog.map((l) => JSON.parse(l) as Record<string, unknown>);
    const aboutBuild = lines.filter((l) => l.role === 'worker' && (l.stage !== undefined || l.deploy !== undefined || /^(build|deploy) /.test(String(l.msg))));
    assert.ok(aboutBuild.length >= 3, JSON.stringify(aboutBuild));
    for (const l of aboutBuild) assert.equal(l.build, buildId, JSON.stringify(l));
    const queued = lines.find((l) => l.msg === 'builds queued');
    assert.match(String(queued?.delivery), /^[0-9a-f-]{36}$/);
  });
});
