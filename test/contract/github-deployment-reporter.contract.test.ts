/**
 * The GitHub deployment reporter against the GitHub emulator (which validates as GitHub's REST
 * reference does), with its ids and status order in real Redis: the requests it sends, one
 * deployment per deploy across processes, statuses that never go back, superseded deployments
 * made inactive, a retired one forgotten only once `inactive` is posted, and refusals logged with the build and deploy, never thrown.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { DeployRecord } from '../../src/core/build.ts';
import { SlipwayError } from '../../src/core/errors.ts';
import type { DeploymentNotice } from '../../src/core/ports/deployment-reporter.ts';
import { createGitHubDeploymentReporter } from '../../src/github/deployment-reporter.ts';
import { createGitHubTokens } from '../../src/github/github-tokens.ts';
import { createRedisDeploymentIds } from '../../src/store/redis-deployment-ids.ts';
import { createRedisStatusGate } from '../../src/store/redis-status-gate.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { testEnv } from '../support/env.ts';

const TOKEN = 'ghs_reportertoken';
const SHA = 'c0ffee0000000000000000000000000000000001';
const SHA2 = 'c0ffee0000000000000000000000000000000002';
const redis = new Redis(testEnv().redisUrl);

describe('GitHub deployment reporter (emulated GitHub, real Redis)', () => {
  let gh: GitHubEmulator;
  const lines: string[] = [];
  before(async () => {
    gh = await startGitHubEmulator({ token: TOKEN, commits: [`acme/web@${SHA}`, `acme/web@${SHA2}`] });
  });
  after(async () => {
    await gh.close();
    await redis.quit();
  });

  /** One Slipway process: its own reporter on the shared Redis prefix. */
  const processOn = (prefix: string) => createGitHubDeploymentReporter({
    tokens: createGitHubTokens({ apiUrl: gh.url, token: TOKEN }), apiUrl: gh.url, maxWaitMs: 10,
    logger: pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }),
    ids: createRedisDeploymentIds(redis, prefix), gate: createRedisStatusGate(redis, prefix),
  });
  const notice = (deploy: Partial<DeployRecord> & Pick<DeployRecord, 'id' | 'state'>, o: Partial<DeploymentNotice> = {}): DeploymentNotice => ({
    repository: 'acme/web', sha: SHA, service: 'web', build: '12', logUrl: 'http://slipway.test/builds/12', environmentUrl: 'https://web.example.com',
    deploy: { environment: 'production', scheduler: 'docker', ...deploy }, ...o,
  });
  const ofDeploy = (id: string) => gh.deployments.filter((d) => (d.payload as { slipway?: { deploy?: string } }).slipway?.deploy === id);

  it('creates the deployment when the deploy starts, with the sha, no merge, no required contexts, and posts in_progress then success', async () => {
    const reporter = processOn(`dep-${randomUUID()}`);
    const id = `d-${randomUUID().slice(0, 8)}`;
    // A pending commit status does not stop it: required_contexts is empty on purpose.
    await fetch(`${gh.url}/repos/acme/web/statuses/${SHA}`, { method: 'POST', headers: { authorization: `token ${TOKEN}`, 'user-agent': 't', 'content-type': 'application/json' }, body: JSON.stringify({ state: 'pending', context: 'slipway/web' }) });
    await reporter.report(notice({ id, state: 'queued' }));
    assert.equal(ofDeploy(id).length, 0, 'a queued deploy is no deployment yet');
    await reporter.report(notice({ id, state: 'running' }));
    await reporter.report(notice({ id, state: 'succeeded' }));
    const [d, ...more] = ofDeploy(id);
    assert.equal(more.length, 0);
    assert.deepEqual(
      { ref: d!.ref, sha: d!.sha, environment: d!.environment, auto_merge: d!.auto_merge, required_contexts: d!.required_contexts, transient: d!.transient_environment, production: d!.production_environment, payload: d!.payload },
      { ref: SHA, sha: SHA, environment: 'production', auto_merge: false, required_contexts: [], transient: false, production: true, payload: { slipway: { service: 'web', build: '12', deploy: id } } },
    );
    assert.match(d!.description ?? '', /^Build 12 \(c0ffee0\) of web to production/);
    assert.deepEqual(d!.statuses.map((s) => [s.state, s.log_url, s.environment_url]), [
      ['in_progress', 'http://slipway.test/builds/12', 'https://web.example.com'],
      ['success', 'http://slipway.test/builds/12', 'https://web.example.com'],
    ]);
    assert.deepEqual(d!.statuses.map((s) => s.description), ['Deploying to production', 'Deployed to production']);
    assert.deepEqual(gh.rejected, []);
  });

  it('one deployment per deploy across processes; a late in_progress after the outcome is dropped', async () => {
    const prefix = `dep-${randomUUID()}`;
    const id = `d-${randomUUID().slice(0, 8)}`;
    await processOn(prefix).report(notice({ id, state: 'running' }));
    // The job ran again in another process (after a crash): same deployment.
    await processOn(prefix).report(notice({ id, state: 'running' }));
    await processOn(prefix).report(notice({ id, state: 'failed', detail: 'unhealthy' }));
    await processOn(prefix).report(notice({ id, state: 'running' }));
    assert.equal(ofDeploy(id).length, 1);
    assert.deepEqual(ofDeploy(id)[0]!.statuses.map((s) => s.state), ['in_progress', 'in_progress', 'failure']);
  });

  it('a process killed after GitHub created the deployment, before Redis kept its id: the retry finds it instead of creating a second', async () => {
    const prefix = `dep-${randomUUID()}`;
    const id = `d-${randomUUID().slice(0, 8)}`;
    const ids = createRedisDeploymentIds(redis, prefix);
    let kills = 1;
    // The fault: the id-keeping step fails once, right after the create (what a SIGKILL there leaves).
    const dying = createGitHubDeploymentReporter({
      tokens: createGitHubTokens({ apiUrl: gh.url, token: TOKEN }), apiUrl: gh.url, maxWaitMs: 10, logger: pino({ level: 'silent' }),
      ids: { ...ids, set: async (...a) => { if (kills-- > 0) throw new SlipwayError('ABORTED', 'killed before the id was kept'); return ids.set(...a); } },
      gate: createRedisStatusGate(redis, prefix),
    });
    await dying.report(notice({ id, state: 'running' }));
    assert.equal(ofDeploy(id).length, 1, 'GitHub has the deployment');
    assert.deepEqual(ofDeploy(id)[0]!.statuses, [], 'and no status: the process died before posting one');
    assert.equal(await ids.get(id), undefined, 'Redis never kept its id');

    await processOn(prefix).report(notice({ id, state: 'running' }));
    await processOn(prefix).report(notice({ id, state: 'succeeded' }));
    assert.equal(ofDeploy(id).length, 1, 'still one deployment for the deploy');
    assert.deepEqual(ofDeploy(id)[0]!.statuses.map((s) => s.state), ['in_progress', 'success']);
    assert.equal(await ids.get(id), ofDeploy(id)[0]!.id);

    // Another deploy of the same commit to the same environment is its own deployment.
    const other = `d-${randomUUID().slice(0, 8)}`;
    await processOn(prefix).report(notice({ id: other, state: 'running' }));
    assert.equal(ofDeploy(other).length, 1);
    assert.notEqual(ofDeploy(other)[0]!.id, ofDeploy(id)[0]!.id);
    assert.deepEqual(gh.rejected, []);
  });

  it('maps outcomes: rolled back is failure, error is error (created when it never started), held is pending, skipped before it started is none', async () => {
    const reporter = processOn(`dep-${randomUUID()}`);
    const cases: [DeployRecord['state'], string[]][] = [['rolled_back', ['failure']], ['error', ['error']], ['skipped', []]];
    for (const [state, expected] of cases) {
      const id = `d-${randomUUID().slice(0, 8)}`;
      await reporter.report(notice({ id, state }));
      assert.deepEqual(ofDeploy(id).flatMap((d) => d.statuses.map((s) => s.state)), expected, state);
    }
    const held = `d-${randomUUID().slice(0, 8)}`;
    // A held deploy (waiting for approval) is any state that is neither queued, running nor an outcome.
    await reporter.report(notice({ id: held, state: 'held' as DeployRecord['state'] }));
    await reporter.report(notice({ id: held, state: 'skipped', detail: 'replaced by a newer build' }));
    assert.deepEqual(ofDeploy(held)[0]!.statuses.map((s) => s.state), ['pending', 'inactive']);
  });

  it('a success in production marks the deployment it replaces inactive; elsewhere GitHub does, once', async () => {
    const reporter = processOn(`dep-${randomUUID()}`);
    for (const environment of ['production', 'staging']) {
      const [first, second] = [`d-${randomUUID().slice(0, 8)}`, `d-${randomUUID().slice(0, 8)}`];
      await reporter.report(notice({ id: first, state: 'succeeded', environment }, { repository: `acme/web` }));
      await reporter.report(notice({ id: second, state: 'succeeded', environment }, { sha: SHA2, build: '13' }));
      assert.deepEqual(ofDeploy(first)[0]!.statuses.map((s) => s.state), ['success', 'inactive'], environment);
      assert.deepEqual(ofDeploy(second)[0]!.statuses.map((s) => s.state), ['success'], environment);
    }
  });

  it('retire marks the last success inactive and forgets it only once that is posted: GitHub down for every try leaves it to retry from', async () => {
    const reporter = processOn(`dep-${randomUUID()}`);
    const id = `d-${randomUUID().slice(0, 8)}`;
    const gone = { repository: 'acme/web', environment: 'pr-7', description: 'Pull request #7 closed; preview of web removed' };
    await reporter.report(notice({ id, state: 'succeeded', environment: 'pr-7' }));
    gh.outage(503);
    try {
      await reporter.retire!(gone);
    } finally {
      gh.recover();
    }
    assert.deepEqual(ofDeploy(id)[0]!.statuses.map((s) => s.state), ['success'], 'nothing posted while GitHub was down');
    await reporter.retire!(gone);
    assert.deepEqual(ofDeploy(id)[0]!.statuses.map((s) => [s.state, s.description]), [['success', 'Deployed to pr-7'], ['inactive', gone.description]]);
    await reporter.retire!(gone);
    assert.equal(ofDeploy(id)[0]!.statuses.length, 2, 'forgotten once inactive was posted');
  });

  it('a deployment GitHub refuses is logged with the build and deploy, never thrown, and the token never logged', async () => {
    const reporter = processOn(`dep-${randomUUID()}`);
    const id = `d-${randomUUID().slice(0, 8)}`;
    await reporter.report(notice({ id, state: 'running' }, { sha: 'd'.repeat(40) }));
    assert.equal(ofDeploy(id).length, 0);
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.deploy === id);
    assert.equal(line?.msg, 'GitHub deployment status not posted');
    assert.deepEqual([line.build, line.err.status], ['12', 422]);
    assert.ok(!lines.some((l) => l.includes(TOKEN)), 'no token in the log');
  });
});
