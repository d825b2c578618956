import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Build } from '../../src/core/build.ts';
import { runSlipway } from '../support/slipway-cli.ts';
import { helloApp, startHarness, type Harness } from './harness.ts';

/**
 * `slipway rollback` and `slipway releases`, run as an operator would: a separate process with
 * Slipway's configuration, no server involved, against a running worker (the harness's).
 */
describe('rolling back in one command', { timeout: 600_000 }, () => {
  let h: Harness;
  let v1: Build;
  let v2: Build;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  const slipway = (...args: string[]) => runSlipway(h.env, args, 60_000);
  const push = async (page: string, message: string) => {
    const sha = h.repo.commit(helloApp(page), message);
    const res = await h.push(sha, message);
    return h.finished(res.body.queued[0].id);
  };
  const sha7 = (build: Build) => build.event.sha.slice(0, 7);

  it('refuses while there is nothing to roll back to', async () => {
    const none = await slipway('rollback', h.service, 'production');
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stderr, new RegExp(`slipway: nothing has been released to ${h.service} in production yet`));
    const empty = await slipway('releases', h.service, 'production');
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, `No releases of ${h.service} in production recorded yet.\n`);

    v1 = await push('Hello, version one', 'Version one');
    assert.equal(v1.deploys[0]?.state, 'succeeded', JSON.stringify(v1));
    const one = await slipway('rollback', h.service, 'production');
    assert.equal(one.code, 1);
    assert.match(one.stderr, new RegExp(`no earlier release in production to roll back to: build ${v1.id} \\(${sha7(v1)}\\) is the only one`));
  });

  it('puts the release before the current one back, past the ancestry fence, and says so everywhere', async (t) => {
    v2 = await push('Hello, version two', 'Version two');
    assert.equal(v2.deploys[0]?.state, 'succeeded');
    assert.match((await h.serviceAnswer()) ?? '', /version two/);
    const slackBefore = h.slack.messages.length;

    const started = Date.now();
    const r = await slipway('rollback', h.service, 'production');
    // It follows the rollout like `slipway deploy`: progress until it ends, exit code from the outcome.
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Rolling back: deploying ${h.service} build ${v1.id} \\(${sha7(v1)}, branch main\\) to production: .*@sha256:[0-9a-f]{64}\\n`));
    assert.match(r.stdout, new RegExp(`\\n  Running there now: build ${v2.id} \\(${sha7(v2)}\\)\\.\\n  Build page: http://slipway\\.test/builds/${v1.id}\\n`));
    assert.match(r.stdout, /\n {2}\[production\] Rolling back to .*git-[0-9a-f]{7} \(sha256:[0-9a-f]{64}\) with docker\n/);
    assert.match(r.stdout, /\n {2}\[production\] Deploy succeeded: healthy after \d+ms\n/);
    assert.match(r.stdout, new RegExp(`\\nRolled ${h.service} back to ${sha7(v1)} \\(build ${v1.id}\\) in production\\.\\n$`));
    t.diagnostic(r.stdout);

    const back = await h.finished(v1.id);
    // The rollback is added to the build's history; the push's own deploy is still there.
    assert.deepEqual(back.deploys.map((d) => [d.environment, d.state, d.rollback ?? false]), [['production', 'succeeded', false], ['production', 'succeeded', true]]);
    assert.match(back.deploys.at(-1)?.detail ?? '', /healthy after/);
    assert.match((await h.serviceAnswer()) ?? '', /version one/);
    t.diagnostic(`rollback: command to healthy v1 in ${Date.now() - started} ms`);

    // GitHub: the deploy context of v1's commit went pending → success, worded as a rollback.
    await h.github.finalStatus(v1.event.sha, `slipway/${h.service}/production`, undefined, started);
    const contexts = h.github.statuses.filter((s) => s.sha === v1.event.sha && s.context === `slipway/${h.service}/production` && s.at >= started);
    assert.deepEqual(contexts.map((s) => [s.state, s.description]), [
      ['pending', 'Waiting to roll production back to this commit'],
      ['pending', 'Rolling production back to this commit'],
      ['success', 'Rolled production back to this commit'],
    ]);
    assert.equal(contexts[0]?.target_url, `http://slipway.test/builds/${v1.id}`);

    // Slack: one message, saying it was a rollback.
    // (v2's own deploy message may still be on its way: the record is final before Slack is told.)
    const rollbacks = () => h.slack.messages.slice(slackBefore).filter((m) => m.text.startsWith(`Rolled ${h.service} back`));
    await h.slack.waitFor(() => rollbacks().length > 0, 5000);
    assert.equal(rollbacks().length, 1);
    assert.match(rollbacks()[0]!.text, new RegExp(`^Rolled ${h.service} back to ${sha7(v1)} in production \\(http://slipway\\.test/builds/${v1.id}\\)`));

    const log = await (await fetch(`${h.slipway.url}/api/builds/${v1.id}/logs`)).text();
    assert.match(log, /\[production\] Rolling back to .*git-[0-9a-f]{7} \(sha256:/);
  });

  it('lists the release history, newest first, each with its cause, the current one marked', async () => {
    const r = await slipway('releases', h.service, 'production');
    assert.equal(r.code, 0, r.stderr);
    const [title, header, ...rows] = r.stdout.trimEnd().split('\n');
    assert.equal(title, `Releases of ${h.service} in production, newest first:`);
    assert.match(header ?? '', /^BUILD\s+COMMIT\s+IMAGE DIGEST\s+DEPLOYED AT\s+CAUSE$/);
    const cells = rows.map((row) => row.split(/\s{2,}/));
    assert.deepEqual(cells.map((c) => [c[0], c[1], c[4], c[5]]), [[v1.id, sha7(v1), 'rollback', 'current'], [v2.id, sha7(v2), 'push', undefined], [v1.id, sha7(v1), 'push', undefined]]);
    assert.deepEqual(cells.map((c) => c[2]), [v1.image?.digest, v2.image?.digest, v1.image?.digest]);
    assert.match(cells[0]?.[3] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);

    const json = await slipway('releases', h.service, 'production', '--json', '--limit', '2');
    assert.equal(json.code, 0, json.stderr);
    const listed = JSON.parse(json.stdout) as { service: string; environment: string; releases: { buildId: string; cause: string; replaced?: string }[] };
    assert.deepEqual([listed.service, listed.environment], [h.service, 'production']);
    assert.deepEqual(listed.releases.map((x) => [x.buildId, x.cause, x.replaced]), [[v1.id, 'rollback', v2.id], [v2.id, 'push', undefined]]);
  });

  it('a second rollback does not put back the release the first one rolled away from', async () => {
    const r = await slipway('rollback', h.service, 'production');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`no earlier release in production to roll back to: the ones before build ${v1.id} \\(${sha7(v1)}\\) were already rolled back from; name a build with --to`));
    assert.match((await h.serviceAnswer()) ?? '', /version one/);
  });

  it('--to puts a named build back; --no-wait returns once it is queued', async (t) => {
    const r = await slipway('rollback', h.service, 'production', '--to', v2.id, '--no-wait');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Rolling back: deploying ${h.service} build ${v2.id} \\(${sha7(v2)}, branch main\\) to production`));
    assert.match(r.stdout, /\nQueued as deploy \d+; not waiting \(--no-wait\)\.\n$/);
    assert.doesNotMatch(r.stdout, /\[production\]/);
    t.diagnostic(r.stdout);
    const build = await h.finished(v2.id);
    assert.deepEqual(build.deploys.map((d) => [d.state, d.rollback ?? false]), [['succeeded', false], ['succeeded', true]], JSON.stringify(build.deploys));
    assert.match((await h.serviceAnswer()) ?? '', /version two/);
  });

  it('fails with clear messages: exit 2 for a wrong command line, 1 for a build that cannot be deployed', async () => {
    const failed = await push('Goodbye', 'Break the page');
    assert.equal(failed.state, 'failed');
    const cases: [string[], number, RegExp][] = [
      [['rollback', 'no-such-service', 'production'], 2, /no pipeline defines service "no-such-service" \(services: hello-/],
      [['rollback', h.service, 'staging'], 2, new RegExp(`${h.service} does not deploy to "staging" \\(environments: production\\)`)],
      [['releases', h.service, 'staging'], 2, /does not deploy to "staging"/],
      [['rollback', h.service], 2, /rollback needs a service and an environment\nUsage: slipway rollback <service> <environment> \[--to <build-id>\] \[--server <url>\] \[--no-wait\]/],
      [['rollback', h.service, 'production', '--to', 'latest'], 2, /--to takes a build id/],
      [['rollback', h.service, 'production', '--force'], 2, /Unknown option '--force'/],
      [['rollback', h.service, 'production', '--to', '99999'], 1, /slipway: no build 99999\n/],
      [['rollback', h.service, 'production', '--to', failed.id], 1, new RegExp(`build ${failed.id} \\(${sha7(failed)}\\) was never pushed \\(it failed: Tests failed \\(exit code 1\\)\\)`)],
    ];
    for (const [args, code, message] of cases) {
      const r = await slipway(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '');
    }
    // None of that changed what runs.
    assert.match((await h.serviceAnswer()) ?? '', /version two/);
    assert.equal((await h.finished(failed.id)).deploys.length, 0);
  });
});
