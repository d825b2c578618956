import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeployNotice } from '../../src/core/ports/notifier.ts';
import { formatDuration } from '../../src/core/duration.ts';
import { escapeMrkdwn, slackMessage } from '../../src/notifiers/slack-message.ts';

const notice: DeployNotice = {
  service: 'hello',
  repository: 'acme/hello',
  environment: 'production',
  sha: '59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
  message: 'Fix <login> & stuff\nsecond line',
  author: 'ada',
  durationMs: 42_000,
  buildUrl: 'http://slipway/builds/9',
  build: '9',
  deploy: '14',
  outcome: 'succeeded',
  detail: 'healthy after 1.0s',
};

describe('slackMessage', () => {
  it('says service, environment, short sha, first line, author, duration and link', () => {
    const m = slackMessage(notice);
    const all = JSON.stringify(m);
    for (const part of ['hello', 'production', '59b20b8', 'Fix &lt;login&gt; &amp; stuff', 'by ada', '42s', '<http://slipway/builds/9|build log>']) {
      assert.ok(all.includes(part), `missing ${part} in ${all}`);
    }
    assert.ok(!all.includes('second line'));
    assert.match(m.text, /^Deployed hello 59b20b8 to production/);
  });
  it('names the reason when a deploy is rolled back', () => {
    const m = slackMessage({ ...notice, outcome: 'rolled_back', detail: 'health check /x did not answer' });
    assert.match(m.text, /^Rolled back/);
    assert.ok(JSON.stringify(m.blocks).includes('health check /x did not answer'));
  });
  it('escapes only &, < and >', () => assert.equal(escapeMrkdwn('a<b>&"c\''), 'a&lt;b&gt;&amp;"c\''));
  it('formats durations', () => {
    assert.equal(formatDuration(4_400), '4s');
    assert.equal(formatDuration(125_000), '2m 05s');
  });
});
