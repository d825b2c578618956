import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl } from '../../src/core/redact-url.ts';
import { isAcceptableCloneUrl, isFullSha, isValidBranchName } from '../../src/core/refs.ts';

describe('isAcceptableCloneUrl', () => {
  const ok = [
    'https://github.com/acme/web.git', 'ssh://git@github.com/acme/web.git', 'git@github.com:acme/web.git', 'file:///srv/git/web.git', 'git://127.0.0.1/web.git',
    'https://ghe.example.com:8443/acme/web.git', 'ssh://git@[::1]:2222/web.git', 'https://user:p%40ss@github.com/acme/web', 'file:///tmp/slipway-git-hello-x1/hello.git/',
  ];
  const refused = [
    '-uhttps://x', '--upload-pack=touch /tmp/x', '-utouch@x:y', 'ssh://-oProxyCommand=touch@x/y', 'ext::sh -c touch', 'https://a b', '', 'git@host:-x', 'file:///a\nb',
    // holes found while hardening the webhook boundary
    'ssh://git@-oProxyCommand=touch/x.git', 'https://-x/y.git', 'ssh://host:-p/x.git', '--config=core.sshCommand=touch /tmp/x',
    'file:///etc', 'file:///', 'file:///srv/git/../../etc/x.git', 'https://github.com/a/b.git\x00', 'https://github.com/a/b\x01.git', 'https://github.com/a/b.git\x7f',
    'fd::17', 'ext::git-remote-x', 'https://github.com/' + 'a'.repeat(2048),
  ];
  it('answers fast on a long hostile URL', () => {
    const started = performance.now();
    for (const url of ['https://' + 'a:'.repeat(1000) + '-', 'ssh://' + 'a'.repeat(2000) + '@-x', 'file:///' + '/'.repeat(2030)]) assert.equal(isAcceptableCloneUrl(url), false);
    assert.ok(performance.now() - started < 1_000, 'no catastrophic backtracking (it would take minutes)');
  });
  for (const url of ok) it(`accepts ${url}`, () => assert.equal(isAcceptableCloneUrl(url), true));
  for (const url of refused) it(`refuses ${JSON.stringify(url)}`, () => assert.equal(isAcceptableCloneUrl(url), false));
});

describe('isValidBranchName', () => {
  for (const b of ['main', 'feature/x', 'release-1.2', 'ada/fix_login']) it(`accepts ${b}`, () => assert.equal(isValidBranchName(b), true));
  for (const b of ['-x', 'a..b', 'a b', 'a~1', 'x.lock', '/a', 'a/', '.hidden', 'a/.b', '@', 'a@{1}', 'a\\b', '', 'x.lock/y', '--upload-pack=x', 'a\x01b', 'a\nb', 'a\x7f', 'x'.repeat(256)]) {
    it(`refuses ${JSON.stringify(b)}`, () => assert.equal(isValidBranchName(b), false));
  }
});

describe('isFullSha', () => {
  it('wants 40 lower-case hex', () => {
    assert.equal(isFullSha('a'.repeat(40)), true);
    assert.equal(isFullSha('A'.repeat(40)), false);
    assert.equal(isFullSha('a'.repeat(39)), false);
    assert.equal(isFullSha('HEAD'), false);
  });
});

describe('redactUrl', () => {
  const table: [string, string][] = [
    ['https://x-access-token:ghs_abc@github.com/acme/web.git', 'https://***@github.com/acme/web.git'],
    ['fatal: https://u:p@ss@host/repo failed', 'fatal: https://***@host/repo failed'],
    ['https://github.com/acme/web.git', 'https://github.com/acme/web.git'],
    ['see ssh://git@host/x and https://t@y/z', 'see ssh://***@host/x and https://***@y/z'],
  ];
  for (const [input, expected] of table) it(`redacts ${input}`, () => assert.equal(redactUrl(input), expected));
});
