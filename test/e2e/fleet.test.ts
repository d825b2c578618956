/**
 * End to end on fleet: the whole product (real Redis, Docker, registry, git; GitHub and Slack
 * emulated) deploying with the `fleet` scheduler to the fleet API v1 emulator, whose units really
 * run on the test engine. Slipway finds fleet through FLEETCTL_ENDPOINT, fleetctl's own variable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetEmulator, type FleetEmulator } from '../emulators/fleet.ts';
import { helloApp, startHarness, type Harness } from './harness.ts';

describe('push to production on fleet', { timeout: 600_000 }, () => {
  let h: Harness;
  let fleet: FleetEmulator;
  let firstImage = '';

  before(async () => {
    fleet = await startFleetEmulator({ machines: 2 });
    h = await startHarness({
      deploy: (port) => ({ scheduler: 'fleet', block: `instances: 1\nport: ${port}\nhealth_path: /index.html\nenv:\n  RELEASED_BY: slipway` }),
      env: { FLEETCTL_ENDPOINT: fleet.url },
    });
  });
  after(async () => {
    await h?.close();
    await fleet?.close(); // stops its units and removes every container they ran
  });

  const unit = () => `${h.service}-production@1.service`;

  it('a signed push: image pushed, unit rolled out on fleet by digest, deploy status success, Slack message', async (t) => {
    const sha = h.repo.commit(helloApp('Hello from fleet'), 'Ship it to fleet');
    const res = await h.push(sha, 'Ship it to fleet');
    assert.equal(res.status, 202);
    const started = Date.now();
    const build = await h.finished(res.body.queued[0].id, 120_000);
    t.diagnostic(`push → deployed on fleet in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.scheduler, d.state]), [['production', 'fleet', 'succeeded']], build.deploys[0]?.detail);

    const digest = (await h.manifestDigest(`git-${sha.slice(0, 7)}`)) ?? '';
    assert.equal(build.image?.digest, digest);
    firstImage = `${h.registry}/${h.service}@${digest}`;
    assert.equal(await fleet.runningImage(`${h.service}-production@`), firstImage);
    assert.match((await h.serviceAnswer()) ?? '', /Hello from fleet/);

    // the unit fleet holds: launched, pinned by digest, PORT and env on the ExecStart line
    const stored = fleet.units().find((u) => u.name === unit())!;
    assert.equal(stored.desiredState, 'launched');
    const start = stored.options.find((o) => o.name === 'ExecStart')!.value!;
    assert.ok(start.endsWith(` ${firstImage}`), start);
    assert.match(start, new RegExp(`-e PORT=${h.servicePort} -e RELEASED_BY=slipway`));
    assert.ok(fleet.requests.filter((r) => r.method === 'PUT').every((r) => r.contentTypes.length === 1 && r.contentTypes[0] === 'application/json'));

    await h.github.finalStatus(sha, `slipway/${h.service}/production`);
    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`)?.state, 'success');
    await h.slack.waitFor((m) => m.some((x) => x.text.includes(sha.slice(0, 7))), 5000);
    const log = await h.buildLog(build.id);
    assert.match(log, new RegExp(`\\[production\\] Launching ${unit()} with git-${sha.slice(0, 7)}`));
    assert.match(log, /\[production\] Deploy succeeded/);
  });

  it('a release that crashes: fleet reports the unit failed, the previous unit is restored, reported with fleet\'s states', async (t) => {
    const sha = h.repo.commit(
      { ...helloApp('Hello, crashing'), Dockerfile: 'FROM local/busybox\nCOPY www /www\nCOPY check.sh /check.sh\nCMD ["sh", "-c", "echo fatal: no config >&2; exit 3"]\n' },
      'Crash on start',
    );
    const started = Date.now();
    const build = await h.finished((await h.push(sha, 'Crash on start')).body.queued[0].id, 180_000);
    t.diagnostic(`push → rolled back on fleet in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    const deploy = build.deploys[0]!;
    assert.equal(deploy.state, 'rolled_back', deploy.detail);
    assert.match(deploy.detail ?? '', new RegExp(`^unit ${unit().replace(/[.@]/g, '\\$&')} failed: systemdActiveState=failed`));
    assert.equal(await fleet.runningImage(`${h.service}-production@`), firstImage);
    assert.match((await h.serviceAnswer()) ?? '', /Hello from fleet/);

    await h.github.finalStatus(sha, `slipway/${h.service}/production`);
    const status = h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`);
    assert.equal(status?.state, 'failure');
    assert.match(status?.description ?? '', /^Rolled back in production/);
    await h.slack.waitFor((m) => m.some((x) => x.text.startsWith('Rolled back') && x.text.includes(sha.slice(0, 7))), 5000);
    const log = await h.buildLog(build.id);
    assert.match(log, new RegExp(`\\[production\\] Restoring ${unit().replace(/[.@]/g, '\\$&')} \\(git-[0-9a-f]{7}\\)`));
  });
});
