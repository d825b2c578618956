import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../src/webhook/normalize.ts';
import { reasonOf, valid, withField } from '../support/normalize-payloads.ts';

describe('normalize: hostile refs and clone URLs are refused with the reason', () => {
  const hostile: [string, string, string, unknown, RegExp][] = [
    ['an option as branch', 'push', 'ref', 'refs/heads/--upload-pack=touch /tmp/x', /not a valid git branch name/],
    ['.. in the branch', 'push', 'ref', 'refs/heads/main/../../x', /not a valid git branch name/],
    ['a control character in the branch', 'push', 'ref', 'refs/heads/ma\x01in', /not a valid git branch name/],
    ['a newline in the branch', 'push', 'ref', 'refs/heads/main\nx', /not a valid git branch name/],
    ['a .lock component', 'push', 'ref', 'refs/heads/x.lock/y', /not a valid git branch name/],
    ['an ext:: clone URL', 'push', 'repository.clone_url', 'ext::sh -c touch% /tmp/pwned', /clone URL/],
    ['an option as clone URL', 'push', 'repository.clone_url', '--config=core.sshCommand=touch /tmp/x', /clone URL/],
    ['file:///etc as clone URL', 'push', 'repository.clone_url', 'file:///etc', /clone URL/],
    ['an ssh host that is an option', 'push', 'repository.clone_url', 'ssh://git@-oProxyCommand=touch/x.git', /clone URL/],
    ['a control character in the clone URL', 'push', 'repository.clone_url', 'https://github.com/a/b.git\x00', /clone URL/],
    ['an option as PR head branch', 'pull_request', 'pull_request.head.ref', '-x', /not a valid git branch name/],
    ['an option as PR base branch', 'pull_request', 'pull_request.base.ref', '--upload-pack=x', /base branch/],
    ['an ext:: head clone URL', 'pull_request', 'pull_request.head.repo.clone_url', 'ext::sh -c x', /clone URL/],
    ['an ext:: base clone URL', 'pull_request', 'repository.clone_url', 'ext::sh -c x', /clone URL/],
    ['a PR head sha that is an option', 'pull_request', 'pull_request.head.sha', '--output=/tmp/x', /head sha/],
  ];
  for (const [name, eventName, field, value, reason] of hostile) {
    it(`refuses ${name}`, () => assert.match(reasonOf(eventName, withField(valid[eventName]!(), field, value)), reason));
  }

  it('keeps an echoed branch name short', () => {
    const reason = reasonOf('push', withField(valid.push!(), 'ref', `refs/heads/-${'x'.repeat(100_000)}`));
    assert.ok(reason.length < 300, `${reason.length} characters`);
  });

  it('keeps an echoed event name short', () => {
    const v = normalize('x'.repeat(10_000), 'd', {});
    assert.ok(v.action === 'skip' && v.reason.length < 300);
  });
});

describe('normalize: free text is bounded', () => {
  it('cuts a commit subject to 1000 characters and an author to 200', () => {
    const p = withField(withField(valid.push!(), 'head_commit.message', 'y'.repeat(50_000)), 'head_commit.author.username', 'z'.repeat(5_000));
    const v = normalize('push', 'd', p);
    assert.equal(v.action, 'build');
    assert.equal(v.action === 'build' && v.event.message?.length, 1000);
    assert.equal(v.action === 'build' && v.event.author?.length, 200);
  });
});
