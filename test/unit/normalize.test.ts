import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../src/webhook/normalize.ts';
import { example, pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';
import { SHA } from '../support/normalize-payloads.ts';

describe('normalize: push', () => {
  it('turns a branch push into a build of the pushed sha', () => {
    const v = normalize('push', 'd1', pushPayload({ repository: 'acme/hello', branch: 'main', sha: SHA, message: 'Fix login\n\nbody', author: 'ada' }));
    assert.equal(v.action, 'build');
    assert.deepEqual(v.action === 'build' && v.event, {
      kind: 'push',
      deliveryId: 'd1',
      repository: 'acme/hello',
      cloneUrl: 'https://github.com/Codertocat/Hello-World.git',
      sha: SHA,
      branch: 'main',
      message: 'Fix login',
      author: 'ada',
      installationId: 1, // GitHub's example was delivered to an App
      defaultBranch: 'master', // GitHub's example creates the branch: no `before`
    });
  });

  const skips: [string, unknown, RegExp][] = [
    ['tag push (GitHub example)', example('push', (p) => p.ref.startsWith('refs/tags/') && !p.deleted), /tag push refs\/tags\/simple-tag/],
    ['deletion (GitHub example)', example('push', (p) => p.deleted), /deleted/],
    ['deletion by forty zeros', pushPayload({ sha: '0'.repeat(40) }), /deleted/],
    ['non-branch ref', pushPayload({ ref: 'refs/notes/x' }), /not a branch/],
    ['branch that could be an option', pushPayload({ ref: 'refs/heads/-x', sha: SHA }), /not a valid git branch name/],
    ['branch with ..', pushPayload({ ref: 'refs/heads/a..b', sha: SHA }), /not a valid git branch name/],
    ['short sha', pushPayload({ sha: 'abc123' }), /no valid "after"/],
    ['no repository', { ...pushPayload({ sha: SHA }), repository: undefined }, /no repository/],
    ['not an object', 'hello', /not a JSON object/],
  ];
  for (const [name, payload, reason] of skips) {
    it(`skips ${name}`, () => {
      const v = normalize('push', 'd', payload);
      assert.equal(v.action, 'skip');
      assert.match(v.action === 'skip' ? v.reason : '', reason);
    });
  }
});

describe('normalize: pull_request', () => {
  for (const action of ['opened', 'synchronize', 'reopened']) {
    it(`builds the head sha on ${action}`, () => {
      const v = normalize('pull_request', 'd', pullRequestPayload({ action, sha: SHA, branch: 'feature-x' }));
      assert.equal(v.action, 'build');
      if (v.action !== 'build') return;
      assert.equal(v.event.kind, 'pull_request');
      assert.equal(v.event.sha, SHA);
      assert.equal(v.event.branch, 'feature-x');
      assert.equal(v.event.pullRequest?.fork, false);
      assert.equal(v.event.pullRequest?.baseBranch, 'master');
    });
  }

  for (const action of ['labeled', 'assigned', 'converted_to_draft']) {
    it(`skips ${action} with the reason`, () => {
      const v = normalize('pull_request', 'd', pullRequestPayload({ action }));
      assert.equal(v.action, 'skip');
      assert.match(v.action === 'skip' ? v.reason : '', new RegExp(`"${action}" is not built`));
    });
  }

  it('marks a pull request from another repository as a fork', () => {
    const v = normalize('pull_request', 'd', pullRequestPayload({ sha: SHA, headRepository: 'mallory/Hello-World' }));
    assert.equal(v.action === 'build' && v.event.pullRequest?.fork, true);
  });

  it('treats a deleted head repository (null) as a fork', () => {
    const v = normalize('pull_request', 'd', pullRequestPayload({ sha: SHA, headRepository: null }));
    assert.equal(v.action === 'build' && v.event.pullRequest?.fork, true);
  });

  it('treats a head repo that is itself a fork but the same repo as not a fork', () => {
    const p = pullRequestPayload({ sha: SHA });
    p.pull_request.head.repo.fork = true;
    const v = normalize('pull_request', 'd', p);
    assert.equal(v.action === 'build' && v.event.pullRequest?.fork, false);
  });
});

describe('normalize: other events', () => {
  it('answers ping', () => assert.deepEqual(normalize('ping', 'd', example('ping')), { action: 'ping' }));
  it('skips events it does not build', () => {
    const v = normalize('issues', 'd', example('issues'));
    assert.equal(v.action, 'skip');
    assert.match(v.action === 'skip' ? v.reason : '', /"issues" is not one Slipway builds/);
  });
});

describe('normalize: deliveries to a GitHub App', () => {
  it('carries the installation id of a push and of a pull request', () => {
    const push = { ...pushPayload({ sha: SHA }), installation: { id: 4242, node_id: 'MDIzOkluc3RhbGxhdGlvbjQyNDI=' } };
    const pr = { ...pullRequestPayload({ sha: SHA }), installation: { id: 77, node_id: 'x' } };
    const p = normalize('push', 'd1', push);
    const r = normalize('pull_request', 'd2', pr);
    assert.equal(p.action === 'build' && p.event.installationId, 4242);
    assert.equal(r.action === 'build' && r.event.installationId, 77);
  });

  it('leaves it out when no App received the delivery, and skips one of another type', () => {
    const plain = pushPayload({ sha: SHA });
    delete plain.installation;
    const v = normalize('push', 'd1', plain);
    assert.equal(v.action === 'build' && 'installationId' in v.event, false);
    assert.deepEqual(normalize('push', 'd1', { ...plain, installation: { id: '4242' } }), { action: 'skip', reason: 'payload field installation.id is a string where GitHub sends a number' });
  });
});
