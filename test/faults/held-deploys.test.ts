/**
 * `approval: required` with three worker processes: two builds reach the held environment, only
 * the newer waits; approvals asked for at the same moment (two CLI processes and the API) let
 * exactly one deploy go; and an approval of a commit older than the one a person deployed since
 * says it went back, on GitHub and in Slack.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Build, DeployRecord } from '../../src/core/build.ts';
import { runSlipway } from '../support/slipway-cli.ts';
import { startCluster, statusProblems, type Cluster, type Service } from './cluster.ts';

describe('held deploys across workers', { timeout: 420_000 }, () => {
  let c: Cluster;
  let service: Service;
  let newer: { id: string; sha: string };
  before(async () => {
    c = await startCluster({ services: 1, entry: 'approval: required' });
    service = c.services[0]!;
    for (let i = 0; i < 3; i++) c.startWorker();
  });
  after(async () => c?.close());

  const slipway = (...args: string[]) => runSlipway(c.env, args);
  const production = (b: Build): DeployRecord[] => b.deploys.filter((d) => d.environment === 'production');
  const context = () => `slipway/${service.name}/production`;

  it('two builds reach the held environment: only the newer waits, the older ends skipped, nothing deploys', async () => {
    const older = await c.push(service, 'Older');
    await c.until(older.id, 'its deploy held', (b) => production(b).some((d) => d.state === 'held'), 180_000);
    newer = await c.push(service, 'Newer');
    await c.until(newer.id, 'its deploy held', (b) => production(b).some((d) => d.state === 'held'), 180_000);
    const o = await c.settled(older.id, 60_000);
    assert.deepEqual(production(o).map((d) => [d.state, d.detail]), [['skipped', `replaced by build ${newer.id} (${newer.sha.slice(0, 7)}), which waits for approval now`]]);
    assert.equal(await c.answer(service), undefined, 'nothing deployed without an approval');
    const last = await c.finalStatus(older.sha, context());
    assert.deepEqual([last.state, last.description], ['success', `Not deployed to production: replaced by build ${newer.id} (${newer.sha.slice(0, 7)}), which waits for approval now`]);
  });

  it('approvals asked for at once, from two processes and the API, let exactly one deploy go', async () => {
    const [a, b, api] = await Promise.all([
      slipway('approve', service.name, 'production'),
      slipway('approve', service.name, 'production'),
      fetch(`${c.url}/api/services/${service.name}/environments/production/approve`, { method: 'POST' }).then(async (r) => ({ status: r.status, body: (await r.json()) as { reason?: string; build?: string } })),
    ]);
    const won = [a.code === 0, b.code === 0, api.status === 202].filter(Boolean).length;
    assert.equal(won, 1, `exactly one approval wins: cli ${a.code} ${a.stderr} / cli ${b.code} ${b.stderr} / api ${api.status} ${JSON.stringify(api.body)}`);
    for (const r of [a, b].filter((x) => x.code !== 0)) {
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `slipway: nothing waits for approval in production of ${service.name}\n`);
    }
    if (api.status !== 202) assert.deepEqual([api.status, api.body.reason], [409, 'nothing_to_approve']);
    else assert.equal(api.body.build, newer.id);

    const done = await c.settled(newer.id, 120_000);
    assert.deepEqual(production(done).map((d) => [d.state, d.requested]), [['succeeded', 'approval']], JSON.stringify(done.deploys));
    assert.match((await c.answer(service)) ?? '', /Newer/);
    await c.github.waitFor(() => c.statuses(newer.sha, context()).at(-1)?.description === 'Deployed to production (approved)', 30_000);
    assert.deepEqual(statusProblems(c.github.statuses), []);
  });

  it('an approval of a commit older than one deployed by hand since says it went back', async () => {
    const third = await c.push(service, 'Third');
    await c.until(third.id, 'its deploy held', (b) => production(b).some((d) => d.state === 'held'), 180_000);
    // A build of another branch (it deploys nowhere by itself), made on top of the held commit, deployed by hand.
    const feature = await c.push(service, 'Feature', { branch: 'feature' });
    await c.settled(feature.id, 180_000);
    const byHand = await slipway('deploy', service.name, 'production', '--build', feature.id);
    assert.equal(byHand.code, 0, byHand.stderr + byHand.stdout);
    assert.match((await c.answer(service)) ?? '', /Feature/);

    const approved = await slipway('approve', service.name, 'production');
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    const back = `back from newer ${feature.sha.slice(0, 7)}`;
    assert.match(approved.stdout, new RegExp(`Deployed ${service.name} ${third.sha.slice(0, 7)} \\(build ${third.id}\\) to production, ${back}\\.\\n$`));
    assert.match((await c.answer(service)) ?? '', /Third/);
    await c.github.waitFor(() => c.statuses(third.sha, context()).at(-1)?.description === `Deployed to production (approved, ${back})`, 30_000);
    const text = `Deployed ${service.name} ${third.sha.slice(0, 7)} to production (approved, ${back})`;
    await c.slack.waitFor(() => c.slack.messages.some((m) => m.text.startsWith(text)), 30_000);
  });
});
