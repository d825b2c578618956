import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { DeployNotice } from '../../src/core/ports/notifier.ts';
import { createGitHubStatusReporter } from '../../src/github/status-reporter.ts';
import { createSlackNotifier } from '../../src/notifiers/slack-notifier.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { startSlackEmulator, type SlackEmulator } from '../emulators/slack.ts';

const SHA = 'c'.repeat(40);
const status = { state: 'pending', context: 'slipway/web', description: 'Queued', targetUrl: 'http://slipway/builds/1' } as const;

function capture() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }) };
}

describe('GitHub status reporter against the emulator', () => {
  let gh: GitHubEmulator;
  before(async () => {
    gh = await startGitHubEmulator({ token: 'good-token' });
  });
  after(async () => gh.close());

  it('posts the status GitHub accepts', async () => {
    const { logger } = capture();
    await createGitHubStatusReporter({ token: 'good-token', apiUrl: gh.url, logger }).report('acme/web', SHA, status);
    const last = gh.statuses.at(-1)!;
    assert.deepEqual([last.owner, last.repo, last.sha, last.state, last.context, last.description, last.target_url], ['acme', 'web', SHA, 'pending', 'slipway/web', 'Queued', 'http://slipway/builds/1']);
  });

  it('waits out a secondary rate limit (retry-after) and posts', async () => {
    const { logger } = capture();
    const before = gh.statuses.length;
    gh.failNext(429, { retryAfter: 1 });
    const started = Date.now();
    await createGitHubStatusReporter({ token: 'good-token', apiUrl: gh.url, logger }).report('acme/web', SHA, { ...status, state: 'success', description: 'ok' });
    assert.equal(gh.statuses.length, before + 1);
    assert.ok(Date.now() - started >= 900, 'honoured retry-after');
  });

  it('logs and goes on when the token is refused, naming the build and deploy, without the token in the log', async () => {
    const { logger, lines } = capture();
    const before = gh.statuses.length;
    await createGitHubStatusReporter({ token: 'wrong-token', apiUrl: gh.url, logger }).report('acme/web', SHA, status, { subject: 'deploy:7', step: 2, build: '12', deploy: '7' });
    assert.equal(gh.statuses.length, before);
    assert.match(lines.join(''), /commit status not posted/);
    assert.match(lines.join(''), /"status":401/);
    assert.match(lines.join(''), /"build":"12","deploy":"7"/);
    assert.ok(!lines.join('').includes('wrong-token'));
  });

  it('does not retry a permission refusal (403 without rate-limit signals)', async () => {
    const { logger, lines } = capture();
    gh.failNext(403, { message: 'Resource not accessible by integration' });
    const [rejected, posted] = [gh.rejected.length, gh.statuses.length];
    await createGitHubStatusReporter({ token: 'good-token', apiUrl: gh.url, logger }).report('acme/web', SHA, status);
    assert.equal(gh.rejected.length, rejected + 1);
    assert.equal(gh.statuses.length, posted);
    assert.match(lines.join(''), /commit status not posted/);
  });

  it('backs off on a secondary rate limit that gives no retry-after, then posts', async () => {
    const { logger } = capture();
    gh.failNext(403);
    const posted = gh.statuses.length;
    await createGitHubStatusReporter({ token: 'good-token', apiUrl: gh.url, logger, maxWaitMs: 200 }).report('acme/web', SHA, status);
    assert.equal(gh.statuses.length, posted + 1);
  });

  it('without a token posts nothing and warns once', async () => {
    const { logger, lines } = capture();
    const before = gh.statuses.length;
    await createGitHubStatusReporter({ apiUrl: gh.url, logger }).report('acme/web', SHA, status);
    assert.equal(gh.statuses.length, before);
    assert.match(lines.join(''), /GITHUB_TOKEN is not set/);
  });
});

describe('Slack notifier against the emulator', () => {
  let slack: SlackEmulator;
  const notice: DeployNotice = {
    service: 'web', repository: 'acme/web', environment: 'production', sha: SHA, message: 'Fix <b>', author: 'ada',
    durationMs: 3000, buildUrl: 'http://slipway/builds/1', build: '1', deploy: '3', outcome: 'succeeded', detail: 'healthy',
  };
  before(async () => {
    slack = await startSlackEmulator();
  });
  after(async () => slack.close());

  it('posts a message Slack accepts', async () => {
    await createSlackNotifier({ webhookUrl: slack.url, logger: capture().logger }).notify(notice);
    assert.equal(slack.messages.length, 1);
    assert.equal(slack.rejected.length, 0);
  });

  it('waits Retry-After on 429 and delivers', async () => {
    slack.rateLimit(1);
    await createSlackNotifier({ webhookUrl: slack.url, logger: capture().logger }).notify(notice);
    assert.equal(slack.messages.length, 2);
  });

  it('gives up at once on a revoked webhook (404 no_service), never throwing, URL not logged', async () => {
    const { logger, lines } = capture();
    const revoked = slack.url.replace(/[^/]+$/, 'revoked');
    await createSlackNotifier({ webhookUrl: revoked, logger }).notify(notice);
    assert.match(lines.join(''), /Slack message not delivered/);
    assert.match(lines.join(''), /"status":404/);
    assert.match(lines.join(''), /"build":"1","deploy":"3"/);
    assert.ok(!lines.join('').includes(revoked));
    assert.equal(slack.messages.length, 2);
  });

  it('gives up on an archived channel (410) without retrying', async () => {
    slack.archive();
    const rejectedBefore = slack.rejected.length;
    await createSlackNotifier({ webhookUrl: slack.url, logger: capture().logger }).notify(notice);
    assert.equal(slack.rejected.length, rejectedBefore + 1);
  });
});
