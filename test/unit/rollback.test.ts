import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTargetArguments } from '../../src/cli/target-arguments.ts';
import { releaseTable } from '../../src/cli/releases.ts';
import type { DeployRecord } from '../../src/core/build.ts';
import { targetFor, unknownTarget, type Pipeline } from '../../src/core/pipeline.ts';
import type { ReleaseRecord } from '../../src/core/ports/build-store.ts';
import type { DeployNotice } from '../../src/core/ports/notifier.ts';
import { describeCause, releaseCause, type ReleaseCause } from '../../src/core/release-cause.ts';
import { previousBuildId } from '../../src/pipeline/queue-rollback.ts';
import { deployStatus } from '../../src/core/status-map.ts';
import { slackMessage } from '../../src/notifiers/slack-message.ts';

const URL = 'http://slipway/builds/7';

describe('a rollback on GitHub and in Slack', () => {
  const cases: [DeployRecord['state'], string, RegExp][] = [
    ['queued', 'pending', /^Waiting to roll production back to this commit$/],
    ['running', 'pending', /^Rolling production back to this commit$/],
    ['succeeded', 'success', /^Rolled production back to this commit$/],
    ['rolled_back', 'failure', /^Rollback of production to this commit failed, the release before runs again: health check failed$/],
    ['failed', 'failure', /^Rollback of production to this commit failed: health check failed$/],
    ['error', 'error', /^Rollback of production to this commit failed: health check failed$/],
  ];
  for (const [state, github, description] of cases) {
    it(`${state} → ${github}, worded as a rollback`, () => {
      const s = deployStatus('hello', { id: '7', environment: 'production', scheduler: 'docker', state, detail: 'health check failed', rollback: true }, URL);
      assert.equal(s.state, github);
      assert.equal(s.context, 'slipway/hello/production');
      assert.match(s.description, description);
    });
  }

  const notice: DeployNotice = {
    service: 'hello', repository: 'acme/hello', environment: 'production', sha: '59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
    message: 'Version one', author: 'ada', durationMs: 5_000, buildUrl: URL, build: '4', deploy: '9', outcome: 'succeeded', detail: 'healthy', rollback: true,
  };
  const headlines: [DeployNotice['outcome'], RegExp, string][] = [
    ['succeeded', /^Rolled hello back to 59b20b8 in production \(http:\/\/slipway\/builds\/7\)$/, ':rewind: Rolled *hello* back to `59b20b8` in *production*'],
    ['rolled_back', /^Rollback of hello to 59b20b8 in production failed; the release before it runs again/, ':x: Rollback of *hello*'],
    ['failed', /^Rollback of hello to 59b20b8 in production failed \(/, ':x: Rollback of *hello*'],
    ['error', /^Could not roll hello back to 59b20b8 in production/, ':warning: Could not roll *hello* back'],
  ];
  for (const [outcome, text, mrkdwn] of headlines) {
    it(`Slack says a ${outcome} rollback is one`, () => {
      const m = slackMessage({ ...notice, outcome });
      assert.match(m.text, text);
      assert.ok(JSON.stringify(m.blocks).includes(JSON.stringify(mrkdwn).slice(1, -1)), JSON.stringify(m.blocks));
    });
  }
  it('a plain deploy keeps its wording', () => assert.match(slackMessage({ ...notice, rollback: undefined }).text, /^Deployed hello 59b20b8 to production/));
});

describe('rollback targets', () => {
  const pipeline = (service: string, deploy: [string, string][]): Pipeline => ({
    service, repository: `acme/${service}`, dockerfile: 'Dockerfile', file: `${service}.yml`,
    deploy: deploy.map(([branch, environment]) => ({ branch, environment, scheduler: 'docker', settings: { branch } })),
  });
  const pipelines = [pipeline('hello', [['main', 'production'], ['release', 'production'], ['main', 'staging']]), pipeline('quiet', [])];

  it('knows the services and environments the pipelines define', () => {
    assert.equal(unknownTarget(pipelines, 'hello', 'production'), undefined);
    assert.equal(unknownTarget(pipelines, 'web', 'production'), 'no pipeline defines service "web" (services: hello, quiet)');
    assert.equal(unknownTarget(pipelines, 'hello', 'qa'), 'hello does not deploy to "qa" (environments: production, staging)');
    assert.equal(unknownTarget(pipelines, 'quiet', 'production'), 'quiet does not deploy to "production" (environments: none)');
  });
  it('deploys with the branch\'s entry; a rollback falls back to the environment\'s first', () => {
    const [hello] = pipelines;
    assert.deepEqual(targetFor(hello!, 'production', 'release')?.settings, { branch: 'release' });
    assert.equal(targetFor(hello!, 'production', 'feature'), undefined);
    assert.deepEqual(targetFor(hello!, 'production', 'feature', true)?.settings, { branch: 'main' });
    assert.equal(targetFor(hello!, 'qa', 'main', true), undefined);
  });
});

describe('slipway rollback / releases command lines', () => {
  const parse = (...args: string[]) => parseTargetArguments('rollback', args, { to: 'build-id' });
  it('takes a service, an environment and the named options', () => {
    assert.deepEqual(parse('hello', 'production'), { service: 'hello', environment: 'production', options: {} });
    assert.deepEqual(parse('hello', 'production', '--to', '12'), { service: 'hello', environment: 'production', options: { to: '12' } });
    assert.deepEqual(parse('--to=12', 'hello', 'production'), { service: 'hello', environment: 'production', options: { to: '12' } });
  });
  for (const args of [[], ['hello'], ['hello', 'production', 'extra'], ['hello', 'production', '--from', '3'], ['hello', 'production', '--to']]) {
    it(`refuses ${JSON.stringify(args)} with the usage line`, () => {
      const r = parse(...args);
      assert.ok('usage' in r);
      assert.match(r.usage, /\nUsage: slipway rollback <service> <environment> \[--to <build-id>\]$/);
    });
  }

  it('lists releases in aligned columns, each with its cause, the current one marked', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    const release = (buildId: string, sha: string, cause: ReleaseRecord['cause'], from?: string): ReleaseRecord => ({
      service: 'hello', environment: 'production', buildId, sha: sha.repeat(40), image: `r/hello@sha256:${sha.repeat(64)}`, deployedAt: at, cause, ...(from ? { from } : {}),
    });
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    assert.equal(releaseTable('hello', 'production', [release('3', 'a', 'rollback'), release('12', 'b', 'promotion', 'staging'), release('11', 'c', 'deploy'), release('10', 'd', 'approval'), release('3', 'a', 'push')]), [
      'Releases of hello in production, newest first:',
      `BUILD  COMMIT   IMAGE DIGEST${' '.repeat(59)}  DEPLOYED AT           CAUSE`,
      `3      aaaaaaa  ${digest('a')}  2026-01-02 03:04:05Z  ${'rollback'.padEnd(22)}  current`,
      `12     bbbbbbb  ${digest('b')}  2026-01-02 03:04:05Z  promotion from staging`,
      `11     ccccccc  ${digest('c')}  2026-01-02 03:04:05Z  deploy`,
      `10     ddddddd  ${digest('d')}  2026-01-02 03:04:05Z  approval`,
      `3      aaaaaaa  ${digest('a')}  2026-01-02 03:04:05Z  push`,
      '',
    ].join('\n'));
  });
});

describe('how a release came', () => {
  const cases: [string, Pick<DeployRecord, 'rollback' | 'requested'>, ReleaseCause][] = [
    ['a push\'s own deploy', {}, 'push'],
    ['a held deploy let go', { requested: 'approval' }, 'approval'],
    ['slipway deploy --build', { requested: 'deploy' }, 'deploy'],
    ['slipway promote', { requested: 'promote' }, 'promotion'],
    ['slipway rollback', { rollback: true }, 'rollback'],
  ];
  for (const [name, deploy, cause] of cases) it(`${name} → ${cause}`, () => assert.equal(releaseCause(deploy), cause));
  it('a promotion names where it came from', () => {
    assert.equal(describeCause({ cause: 'promotion', from: 'staging' }), 'promotion from staging');
    assert.equal(describeCause({ cause: 'push' }), 'push');
  });
});

describe('the release a rollback puts back', () => {
  const release = (buildId: string, extra: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
    service: 'hello', environment: 'production', sha: `${buildId}`.padEnd(40, '0'), image: `r/hello@sha256:${buildId}`, buildId, deployedAt: 0, cause: extra.rollback ? 'rollback' : 'push', ...extra,
  });
  const cases: [string, ReleaseRecord[], string | undefined][] = [
    ['the one before the current one', [release('3'), release('2'), release('1')], '2'],
    ['skips redeploys of the current image', [release('3'), release('3'), release('2')], '2'],
    ['after a rollback, walks further back instead of restoring the release rolled away from', [release('2', { rollback: true, replaced: '3' }), release('3'), release('2'), release('1')], '1'],
    ['after two rollbacks, nothing is left to go back to', [release('1', { rollback: true, replaced: '2' }), release('2', { rollback: true, replaced: '3' }), release('3'), release('2'), release('1')], undefined],
    ['a push after rollbacks starts a new step back', [release('4'), release('1', { rollback: true, replaced: '2' }), release('2', { rollback: true, replaced: '3' }), release('3'), release('2'), release('1')], '1'],
    ['nothing recorded', [], undefined],
  ];
  for (const [name, history, expected] of cases) {
    it(name, () => assert.equal(previousBuildId(history), expected));
  }
});
