import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { after, before, describe, it } from 'node:test';
import type { Build, DeployRecord } from '../../src/core/build.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { runSlipway } from '../support/slipway-cli.ts';
import { helloApp, stagingThenApprovedProduction, startHarness, type Harness } from './harness.ts';

const API_TOKEN = 'release-control-token';
const FINAL = new Set(['succeeded', 'failed', 'rolled_back', 'skipped', 'error']);

/**
 * Deploy by digest, promote and approve, through the CLI (a separate process, as an operator runs
 * it) and the API (with and without the token), on real Redis, Docker, registry and git: main
 * deploys to staging at once and to production only once approved.
 */
describe('release control: approve, promote, deploy by build', { timeout: 600_000 }, () => {
  let h: Harness;
  let stagingPort: number;
  const builds: Record<string, Build> = {};
  before(async () => {
    stagingPort = await freePort();
    h = await startHarness({
      env: { SLIPWAY_API_TOKEN: API_TOKEN },
      pipeline: stagingThenApprovedProduction(stagingPort),
    });
  });
  after(async () => {
    await h?.close();
    const docker = new Docker({ socketPath: testEnv().dockerHost.replace(/^unix:\/\//, '') });
    for (const name of [`slipway-${h?.service}-staging`, `slipway-${h?.service}-staging-previous`]) await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
  });

  const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const token = init.token === undefined ? API_TOKEN : init.token;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    return fetch(`${h.slipway.url}${path}`, { ...init, headers });
  };
  const target = (env: string) => `/api/services/${h.service}/environments/${env}`;
  const getBuild = async (id: string) => (await (await api(`/api/builds/${id}`)).json()) as Build;
  /** the build's latest deploy to `env`, once `ready` says it is where the test needs it (bounded) */
  const deployWhen = async (id: string, env: string, ready: (d: DeployRecord) => boolean, timeoutMs = 120_000): Promise<DeployRecord> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const build = await getBuild(id);
      const d = build.deploys.filter((x) => x.environment === env).at(-1);
      if (d && ready(d)) return d;
      if (Date.now() > until) throw new Error(`deploy of build ${id} to ${env} not there: ${JSON.stringify(build.deploys)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const answer = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return res?.ok ? res.text() : undefined;
  };
  const slipway = (...args: string[]) => runSlipway(h.env, args);
  /** pushes a commit; resolves once staging has it and production holds it */
  const push = async (name: string, page: string) => {
    const sha = h.repo.commit(helloApp(page), `Release ${name}`);
    const res = await h.push(sha, `Release ${name}`);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const id = String(res.body.queued[0].id);
    const staging = await deployWhen(id, 'staging', (d) => FINAL.has(d.state));
    assert.equal(staging.state, 'succeeded', JSON.stringify(staging));
    await deployWhen(id, 'production', (d) => d.state === 'held');
    builds[name] = await getBuild(id);
    return builds[name]!;
  };
  const sha7 = (b: Build) => b.event.sha.slice(0, 7);
  const prodStatuses = (b: Build) => h.github.statuses.filter((s) => s.sha === b.event.sha && s.context === `slipway/${h.service}/production`);

  it('holds a push\'s production deploy for approval while staging deploys at once', async () => {
    const v1 = await push('v1', 'Hello, version one');
    assert.match((await answer(stagingPort)) ?? '', /version one/);
    assert.equal(await answer(h.servicePort), undefined, 'production must not run anything yet');
    const last = prodStatuses(v1).at(-1);
    assert.deepEqual([last?.state, last?.description], ['pending', 'Waiting for approval to deploy to production']);
    assert.match(await (await api(`/api/builds/${v1.id}/logs`)).text(), new RegExp(`\\[production\\] Waiting for approval: slipway approve ${h.service} production`));
    // Nothing released in production yet: nothing to promote from it, nothing to roll back to there.
    const refusals: [string, unknown, string, RegExp][] = [
      ['staging/deploy', { from: 'production' }, 'nothing_to_promote', new RegExp(`^nothing has been released to ${h.service} in production yet, so there is nothing to promote$`)],
      ['production/rollback', {}, 'nothing_to_roll_back', new RegExp(`^nothing has been released to ${h.service} in production yet; name a build with --to$`)],
    ];
    for (const [path, body, reason, error] of refusals) {
      const res = await api(`/api/services/${h.service}/environments/${path}`, { method: 'POST', body: JSON.stringify(body) });
      assert.equal(res.status, 409, path);
      const answer = (await res.json()) as { error: string; reason: string };
      assert.equal(answer.reason, reason, path);
      assert.match(answer.error, error, path);
    }
  });

  it('a newer build waiting for approval replaces the older one, which ends skipped', async () => {
    const v2 = await push('v2', 'Hello, version two');
    const v1 = builds.v1!;
    const older = await deployWhen(v1.id, 'production', (d) => d.state !== 'held');
    assert.equal(older.state, 'skipped');
    assert.equal(older.detail, `replaced by build ${v2.id} (${sha7(v2)}), which waits for approval now`);
    const last = prodStatuses(v1).at(-1);
    assert.deepEqual([last?.state, last?.description], ['success', `Not deployed to production: replaced by build ${v2.id} (${sha7(v2)}), which waits for approval now`]);
  });

  it('approve over the API needs the token, lets the waiting deploy go, and then has nothing to approve', async () => {
    const v2 = builds.v2!;
    for (const token of [null, 'wrong']) {
      const res = await api(`${target('production')}/approve`, { method: 'POST', token });
      assert.equal(res.status, 401, `token ${token}`);
    }
    assert.equal((await deployWhen(v2.id, 'production', () => true)).state, 'held', 'a refused request changes nothing');
    const res = await api(`${target('production')}/approve`, { method: 'POST' });
    assert.equal(res.status, 202);
    const body = (await res.json()) as { build: string; deploy: DeployRecord; url: string };
    assert.equal(body.build, v2.id);
    assert.equal(body.deploy.requested, 'approval');
    assert.equal(body.url, `http://slipway.test/builds/${v2.id}`);
    const done = await deployWhen(v2.id, 'production', (d) => FINAL.has(d.state));
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    assert.match((await answer(h.servicePort)) ?? '', /version two/);
    // The status is posted after the record is final (by design): wait for it, bounded.
    await h.github.waitFor(() => prodStatuses(v2).at(-1)?.description === 'Deployed to production (approved)', 10_000);

    const again = await api(`${target('production')}/approve`, { method: 'POST' });
    assert.equal(again.status, 409);
    assert.deepEqual(await again.json(), { error: `nothing waits for approval in production of ${h.service}`, reason: 'nothing_to_approve' });
  });

  it('slipway promote deploys exactly the digest running in staging, printing the rollout; slipway approve lets the held one go', async () => {
    const v3 = await push('v3', 'Hello, version three');
    const r = await slipway('promote', h.service, 'staging', 'production');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`^Promoting from staging: ${h.service} build ${v3.id} \\(${sha7(v3)}, branch main\\) to production: .*@${v3.image?.digest}\\n`));
    assert.match(r.stdout, /\n {2}\[production\] Deploying .* with docker\n/);
    assert.match(r.stdout, new RegExp(`\\nDeployed ${h.service} ${sha7(v3)} \\(build ${v3.id}\\) to production\\.\\n$`));
    const [staging, production] = await Promise.all(['staging', 'production'].map(async (env) => ((await (await api(`${target(env)}/releases?limit=1`)).json()) as { releases: { image: string; buildId: string }[] }).releases[0]));
    assert.equal(production?.image, staging?.image);
    assert.equal(production?.image.split('@')[1], v3.image?.digest);
    assert.match((await answer(h.servicePort)) ?? '', /version three/);
    await h.github.waitFor(() => prodStatuses(v3).some((s) => s.description === 'Deployed to production (promoted from staging)'), 10_000);

    // The push's own production deploy still waits: approving it deploys the same image again.
    const a = await slipway('approve', h.service, 'production');
    assert.equal(a.code, 0, a.stderr + a.stdout);
    assert.match(a.stdout, new RegExp(`^Approved: deploying ${h.service} build ${v3.id} \\(${sha7(v3)}, branch main\\) to production`));
    assert.match(a.stdout, new RegExp(`Deployed ${h.service} ${sha7(v3)} \\(build ${v3.id}\\) to production\\.\\n$`));
    const none = await slipway('approve', h.service, 'production');
    assert.equal(none.code, 1);
    assert.equal(none.stderr, `slipway: nothing waits for approval in production of ${h.service}\n`);
  });

  it('slipway deploy --build of an older build goes back, and its status and Slack message say so', async () => {
    const [v1, v3] = [builds.v1!, builds.v3!];
    const r = await slipway('deploy', h.service, 'production', '--build', v1.id);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`Running there now: build ${v3.id} \\(${sha7(v3)}\\)`));
    assert.match(r.stdout, new RegExp(`\\[production\\] Deploying .*, going back from newer ${sha7(v3)} \\(asked for by hand\\)`));
    assert.match(r.stdout, new RegExp(`Deployed ${h.service} ${sha7(v1)} \\(build ${v1.id}\\) to production, back from newer ${sha7(v3)}\\.\\n$`));
    assert.match((await answer(h.servicePort)) ?? '', /version one/);
    const done = await deployWhen(v1.id, 'production', (d) => FINAL.has(d.state));
    assert.deepEqual([done.state, done.requested, done.backFrom], ['succeeded', 'deploy', v3.event.sha]);
    await h.github.waitFor(() => prodStatuses(v1).at(-1)?.description === `Deployed to production (deployed by hand, back from newer ${sha7(v3)})`, 10_000);
    const text = `Deployed ${h.service} ${sha7(v1)} to production (deployed by hand, back from newer ${sha7(v3)})`;
    await h.slack.waitFor(() => h.slack.messages.some((m) => m.text.startsWith(text)), 10_000);
  });

  it('the API deploys a build and promotes, and says 400, 404 or 409 when it cannot', async (t) => {
    const v2 = builds.v2!;
    const deploy = await api(`${target('staging')}/deploy`, { method: 'POST', body: JSON.stringify({ build: v2.id }) });
    assert.equal(deploy.status, 202);
    assert.equal((await deployWhen(v2.id, 'staging', (d) => d.requested === 'deploy' && FINAL.has(d.state))).state, 'succeeded');
    const promote = await api(`${target('production')}/deploy`, { method: 'POST', body: JSON.stringify({ from: 'staging' }) });
    assert.equal(promote.status, 202);
    const promoted = (await promote.json()) as { build: string; image: string; deploy: DeployRecord };
    assert.deepEqual([promoted.build, promoted.image.split('@')[1], promoted.deploy.from], [v2.id, v2.image?.digest, 'staging']);
    assert.equal((await deployWhen(v2.id, 'production', (d) => d.requested === 'promote' && FINAL.has(d.state))).state, 'succeeded');
    assert.match((await answer(h.servicePort)) ?? '', /version two/);

    const rollback = await api(`${target('production')}/rollback`, { method: 'POST', body: '{}' });
    assert.equal(rollback.status, 202);
    assert.equal(((await rollback.json()) as { build: string }).build, builds.v1!.id, 'the release before the promotion');
    const back = await deployWhen(builds.v1!.id, 'production', (d) => d.rollback === true && FINAL.has(d.state));
    assert.equal(back.state, 'succeeded', JSON.stringify(back));
    assert.match((await answer(h.servicePort)) ?? '', /version one/);

    const unauthorized = await api(`${target('staging')}/deploy`, { method: 'POST', body: JSON.stringify({ build: v2.id }), token: null });
    assert.equal(unauthorized.status, 401);
    const cases: [string, string, unknown, number, RegExp, string?][] = [
      ['POST', `${target('production')}/deploy`, { build: '99999' }, 409, /^no build 99999$/, 'not_deployable'],
      ['POST', `${target('production')}/rollback`, { to: '99999' }, 409, /^no build 99999$/, 'not_deployable'],
      ['POST', `${target('qa')}/deploy`, { build: v2.id }, 409, new RegExp(`${h.service} does not deploy to "qa" \\(environments: staging, production\\)`), 'unknown_target'],
      ['POST', `${target('qa')}/rollback`, {}, 409, new RegExp(`${h.service} does not deploy to "qa"`), 'unknown_target'],
      ['POST', `/api/services/nope/environments/production/approve`, undefined, 409, /no pipeline defines service "nope"/, 'unknown_target'],
      ['POST', `${target('production')}/deploy`, { from: 'production' }, 409, /promote takes two different environments/, 'unknown_target'],
      ['POST', `${target('production')}/deploy`, { from: 'qa' }, 409, new RegExp(`${h.service} does not deploy to "qa"`), 'unknown_target'],
      ['POST', `${target('production')}/deploy`, {}, 400, /send \{"build":"<id>"\}/],
      ['POST', `${target('production')}/deploy`, { build: v2.id, from: 'staging' }, 400, /send \{"build":"<id>"\}/],
      ['POST', `${target('production')}/deploy`, { build: 'latest' }, 400, /"build" is a build id/],
      ['POST', `${target('production')}/rollback`, { to: 'previous' }, 400, /"to" is a build id/],
      ['GET', `${target('qa')}/releases`, undefined, 404, /does not deploy to "qa"/],
    ];
    for (const [method, path, body, status, error, reason] of cases) {
      const res = await api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)}`);
      const answer = (await res.json()) as { error: string; reason?: string };
      assert.match(answer.error, error, path);
      assert.equal(answer.reason, reason, `${method} ${path} ${JSON.stringify(body)}: reason`);
    }
    const releases = (await (await api(`${target('production')}/releases`)).json()) as { releases: { buildId: string; cause: string; from?: string }[] };
    assert.deepEqual(releases.releases.slice(0, 5).map((r) => [r.buildId, r.cause, r.from]), [
      [builds.v1!.id, 'rollback', undefined], [v2.id, 'promotion', 'staging'], [builds.v1!.id, 'deploy', undefined], [builds.v3!.id, 'approval', undefined], [builds.v3!.id, 'promotion', 'staging'],
    ]);
    const staging = (await (await api(`${target('staging')}/releases`)).json()) as { releases: { buildId: string; cause: string }[] };
    assert.deepEqual(staging.releases.slice(0, 2).map((r) => [r.buildId, r.cause]), [[v2.id, 'deploy'], [builds.v3!.id, 'push']]);
    const table = await slipway('releases', h.service, 'production', '--limit', '5');
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(table.stdout.trimEnd().split('\n').slice(2).map((row) => row.split(/\s{2,}/).slice(4).join(' / ')), [
      'rollback / current', 'promotion from staging', 'deploy', 'approval', 'promotion from staging',
    ]);
    t.diagnostic(table.stdout);
  });

  it('the CLI refuses a wrong command line with exit 2, naming what exists, and explains each command with --help', async () => {
    const cases: [string[], RegExp][] = [
      [['deploy', 'no-such-service', 'production', '--build', '1'], /no pipeline defines service "no-such-service" \(services: hello-/],
      [['promote', h.service, 'staging', 'qa'], new RegExp(`${h.service} does not deploy to "qa" \\(environments: staging, production\\)`)],
      [['deploy', h.service, 'production'], /deploy needs --build <id>/],
      [['deploy', h.service, 'production', '--build', 'latest'], /--build takes a build id/],
      [['promote', h.service, 'staging'], /promote needs a service and two environments[\s\S]*Usage: slipway promote/],
    ];
    // Independent processes: run side by side (each start is mostly loading the CLI).
    const refused = await Promise.all(cases.map(([args]) => slipway(...args)));
    cases.forEach(([args, message], i) => {
      const r = refused[i]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '');
    });
    const commands = ['deploy', 'promote', 'approve'];
    const helps = await Promise.all(commands.map((command) => slipway(command, '--help')));
    commands.forEach((command, i) => {
      assert.equal(helps[i]!.code, 0);
      assert.match(helps[i]!.stdout, new RegExp(`^Usage: slipway ${command} <service>`));
      assert.match(helps[i]!.stdout, /Exit codes: 0/);
    });
  });
});
