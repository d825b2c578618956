import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newBuild, type Build, type DeployRecord } from '../../src/core/build.ts';
import { buildStatus, deployStatus, truncate } from '../../src/core/status-map.ts';

const event = { kind: 'push', deliveryId: 'd', repository: 'acme/hello', cloneUrl: 'x', sha: 'a'.repeat(40), branch: 'main' } as const;
const URL = 'http://slipway/builds/7';

function build(change: (b: Build) => void): Build {
  const b = newBuild('7', 'hello', event, 0);
  change(b);
  return b;
}

describe('build → commit status', () => {
  const table: [string, Build, string, RegExp][] = [
    ['queued', build(() => {}), 'pending', /^Queued$/],
    ['running clone', build((b) => { b.state = 'running'; b.stages[0]!.state = 'running'; }), 'pending', /^Fetching the commit$/],
    ['running test', build((b) => { b.state = 'running'; b.stages[2]!.state = 'running'; }), 'pending', /^Running the tests$/],
    ['passed', build((b) => { b.state = 'passed'; b.detail = 'Tests passed; pushed git-aaaaaaa'; }), 'success', /pushed git-aaaaaaa/],
    ['failed', build((b) => { b.state = 'failed'; b.detail = 'Tests failed (exit code 1)'; }), 'failure', /exit code 1/],
    ['error', build((b) => { b.state = 'error'; b.detail = 'registry unreachable'; }), 'error', /registry unreachable/],
    ['cancelled (superseded)', build((b) => { b.state = 'cancelled'; b.detail = 'Superseded by bbbbbbb (build 8)'; }), 'error', /^Superseded by bbbbbbb \(build 8\)$/],
    ['cancelled (by hand)', build((b) => { b.state = 'cancelled'; b.detail = 'Cancelled with slipway cancel (build 7)'; }), 'error', /^Cancelled/],
  ];
  for (const [name, b, state, description] of table) {
    it(name, () => {
      const s = buildStatus(b, URL);
      assert.equal(s.state, state);
      assert.match(s.description, description);
      assert.equal(s.context, 'slipway/hello');
      assert.equal(s.targetUrl, URL);
    });
  }
});

describe('deploy → commit status', () => {
  const table: [DeployRecord['state'], string, RegExp][] = [
    ['queued', 'pending', /^Waiting to deploy to production$/],
    ['running', 'pending', /^Deploying to production$/],
    ['succeeded', 'success', /^Deployed to production$/],
    ['skipped', 'success', /^Not deployed to production: newer/],
    ['rolled_back', 'failure', /^Rolled back in production: health/],
    ['failed', 'failure', /^Deploy to production failed/],
    ['error', 'error', /^Deploy to production failed/],
  ];
  for (const [state, expected, description] of table) {
    it(state, () => {
      const detail = state === 'skipped' ? 'newer abc is deployed' : 'health check failed';
      const s = deployStatus('hello', { id: '7', environment: 'production', scheduler: 'docker', state, detail }, URL);
      assert.equal(s.state, expected);
      assert.match(s.description, description);
      assert.equal(s.context, 'slipway/hello/production');
    });
  }
});

describe('description length', () => {
  it('keeps 140 characters or fewer, marking the cut', () => {
    const long = 'x'.repeat(500);
    const s = buildStatus(build((b) => { b.state = 'error'; b.detail = long; }), URL);
    assert.equal(s.description.length, 140);
    assert.ok(s.description.endsWith('…'));
  });
  it('leaves short text alone and folds newlines', () => {
    assert.equal(truncate('a\nb   c'), 'a b c');
    assert.equal(truncate('y'.repeat(140)), 'y'.repeat(140));
  });
});
