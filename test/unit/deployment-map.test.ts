import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeployRecord } from '../../src/core/build.ts';
import { deploymentShown, deploymentTitle, marksInactiveItself } from '../../src/github/deployment-map.ts';

const deploy = (state: string, more: Partial<DeployRecord> = {}): DeployRecord => ({ id: '7', environment: 'production', scheduler: 'docker', state: state as DeployRecord['state'], ...more });
const shown = (state: string, more: Partial<DeployRecord> = {}) => deploymentShown({ service: 'hello', deploy: deploy(state, more), logUrl: 'http://slipway.test/builds/3' });

describe('deploy → GitHub deployment status', () => {
  const table: [string, string | undefined, boolean | undefined, number | undefined][] = [
    // deploy state, deployment state, creates the deployment, step
    ['queued', undefined, undefined, undefined],
    ['held', 'pending', true, 0],
    ['running', 'in_progress', true, 1],
    ['succeeded', 'success', true, 2],
    ['failed', 'failure', true, 2],
    ['rolled_back', 'failure', true, 2],
    ['error', 'error', true, 2],
    ['skipped', 'inactive', false, 2],
  ];
  for (const [state, expected, create, step] of table) {
    it(`${state} → ${expected ?? 'no deployment yet'}`, () => {
      const s = shown(state);
      assert.deepEqual(s && [s.state, s.create, s.step], expected === undefined ? undefined : [expected, create, step]);
    });
  }

  it('describes statuses as the commit status does, within 140 characters', () => {
    assert.equal(shown('running')?.description, 'Deploying to production');
    assert.equal(shown('succeeded', { rollback: true })?.description, 'Rolled production back to this commit');
    assert.ok((shown('failed', { detail: 'x'.repeat(300) })?.description.length ?? 0) <= 140);
  });

  it('titles the deployment with the build, short sha, service and environment', () => {
    assert.equal(deploymentTitle({ service: 'hello', build: '42', sha: '1a2b3c4d'.padEnd(40, '0'), deploy: deploy('running') }), 'Build 42 (1a2b3c4) of hello to production, by Slipway');
    assert.match(deploymentTitle({ service: 'hello', build: '40', sha: 'f'.repeat(40), deploy: deploy('running', { rollback: true }) }), /^Rollback to build 40/);
  });

  it('GitHub makes earlier deployments inactive itself except in production and transient previews', () => {
    assert.deepEqual(['production', 'staging', 'prod', 'pr-12', 'pr-x'].map(marksInactiveItself), [false, true, true, false, true]);
  });
});
