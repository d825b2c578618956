import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeFlag } from '../../src/cli/take-flag.ts';
import { DeployEntrySchema } from '../../src/config/pipeline-schema.ts';
import type { DeployRecord } from '../../src/core/build.ts';
import type { DeployNotice } from '../../src/core/ports/notifier.ts';
import { deployStatus } from '../../src/core/status-map.ts';
import { slackMessage } from '../../src/notifiers/slack-message.ts';
import { deployJobData, deployJobId } from '../../src/queue/jobs.ts';

const URL = 'http://slipway/builds/7';
const NEWER = 'c0ffee1234567890c0ffee1234567890c0ffee12';

describe('a held deploy and deploys a person asked for, on GitHub', () => {
  const status = (deploy: Partial<DeployRecord>) => deployStatus('hello', { id: '9', environment: 'production', scheduler: 'docker', state: 'queued', ...deploy }, URL);

  it('a held deploy is pending, waiting for approval', () => {
    const s = status({ state: 'held', detail: 'Waiting for approval' });
    assert.deepEqual([s.state, s.description], ['pending', 'Waiting for approval to deploy to production']);
  });

  const cases: [Partial<DeployRecord>, string, string][] = [
    [{ state: 'queued', requested: 'deploy' }, 'pending', 'Waiting to deploy to production (deployed by hand)'],
    [{ state: 'running', requested: 'promote', from: 'staging' }, 'pending', 'Deploying to production (promoted from staging)'],
    [{ state: 'succeeded', requested: 'approval' }, 'success', 'Deployed to production (approved)'],
    [{ state: 'succeeded', requested: 'deploy', backFrom: NEWER }, 'success', 'Deployed to production (deployed by hand, back from newer c0ffee1)'],
    [{ state: 'succeeded', requested: 'promote', from: 'staging', backFrom: NEWER }, 'success', 'Deployed to production (promoted from staging, back from newer c0ffee1)'],
    [{ state: 'succeeded', requested: 'approval', backFrom: NEWER }, 'success', 'Deployed to production (approved, back from newer c0ffee1)'],
    [{ state: 'running', requested: 'approval', backFrom: NEWER }, 'pending', 'Deploying to production (approved, back from newer c0ffee1)'],
    [{ state: 'rolled_back', requested: 'promote', from: 'staging', backFrom: NEWER, detail: 'unhealthy after 20s' }, 'failure', 'Rolled back in production (promoted from staging, back from newer c0ffee1): unhealthy after 20s'],
    [{ state: 'error', requested: 'deploy', detail: 'registry down' }, 'error', 'Deploy to production (deployed by hand) failed: registry down'],
  ];
  for (const [deploy, github, description] of cases) {
    it(`${deploy.requested} ${deploy.state}${deploy.backFrom ? ' going back' : ''} → ${github}: "${description}"`, () => {
      const s = status(deploy);
      assert.deepEqual([s.state, s.description], [github, description]);
    });
  }
});

describe('a deploy a person asked for, in Slack', () => {
  const notice: DeployNotice = {
    service: 'hello', repository: 'acme/hello', environment: 'production', sha: 'abcdef1234567890', durationMs: 4000,
    buildUrl: URL, build: '7', deploy: '9', outcome: 'succeeded', detail: '',
  };
  it('says how it was asked for and that it went back', () => {
    assert.equal(slackMessage({ ...notice, requested: 'deploy', backFrom: NEWER }).text, `Deployed hello abcdef1 to production (deployed by hand, back from newer c0ffee1) (${URL})`);
    assert.equal(slackMessage({ ...notice, requested: 'promote', from: 'staging' }).text, `Deployed hello abcdef1 to production (promoted from staging) (${URL})`);
    assert.equal(slackMessage({ ...notice, requested: 'approval', outcome: 'failed', detail: 'unhealthy' }).text, `Failed to deploy hello abcdef1 to production (approved) (${URL})`);
  });
  it('a promotion or an approval of an older commit says it went back, like a deploy by hand', () => {
    assert.equal(slackMessage({ ...notice, requested: 'promote', from: 'staging', backFrom: NEWER }).text, `Deployed hello abcdef1 to production (promoted from staging, back from newer c0ffee1) (${URL})`);
    assert.equal(slackMessage({ ...notice, requested: 'approval', backFrom: NEWER }).text, `Deployed hello abcdef1 to production (approved, back from newer c0ffee1) (${URL})`);
  });
  it('a push\'s deploy reads as before', () => {
    assert.equal(slackMessage(notice).text, `Deployed hello abcdef1 to production (${URL})`);
  });
});

describe('deploy jobs of a record', () => {
  it('an approval runs as a job of its own; the job that held it keeps its id', () => {
    const held: Pick<DeployRecord, 'id' | 'environment'> = { id: '40', environment: 'production' };
    assert.equal(deployJobId(deployJobData('7', held)), 'deploy-40');
    assert.equal(deployJobId(deployJobData('7', { ...held, requested: 'approval' })), 'deploy-40-approved');
    assert.equal(deployJobId(deployJobData('7', { ...held, requested: 'deploy' })), 'deploy-40');
    assert.deepEqual(deployJobData('7', { ...held, rollback: true }), { buildId: '7', environment: 'production', deployId: '40', rollback: true });
  });
});

describe('approval: on a deploy entry', () => {
  const entry = { branch: 'main', environment: 'production', scheduler: 'docker' };
  it('takes "required" or nothing', () => {
    assert.equal(DeployEntrySchema.parse({ ...entry, approval: 'required' }).approval, 'required');
    assert.equal(DeployEntrySchema.parse(entry).approval, undefined);
  });
  it('refuses anything else, saying what it takes', () => {
    const r = DeployEntrySchema.safeParse({ ...entry, approval: true });
    assert.equal(r.success, false);
    assert.match(r.error?.issues[0]?.message ?? '', /must be "required"/);
  });
});

describe('--no-wait on an operator command line', () => {
  it('is taken out wherever it stands', () => {
    assert.deepEqual(takeFlag(['hello', '--no-wait', 'production'], '--no-wait'), { present: true, rest: ['hello', 'production'] });
    assert.deepEqual(takeFlag(['hello', 'production'], '--no-wait'), { present: false, rest: ['hello', 'production'] });
  });
});
