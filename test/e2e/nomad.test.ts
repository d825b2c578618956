/**
 * End to end on Nomad: the whole product (real Redis, Docker, registry, git; GitHub and Slack
 * emulated) deploying with the `nomad` scheduler to the Nomad emulator, whose allocations really
 * run on the test engine from the test registry. Slipway finds Nomad through NOMAD_ADDR and
 * NOMAD_TOKEN, Nomad's own variables.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNomadEmulator, type NomadEmulator } from '../emulators/nomad.ts';
import { type Harness, helloApp, pushNeverHealthy, startHarness } from './harness.ts';

const TOKEN = 'e2e-nomad-token';

describe('push to production on Nomad', { timeout: 600_000 }, () => {
  let h: Harness;
  let nomad: NomadEmulator;
  let firstDigest = '';

  before(async () => {
    nomad = await startNomadEmulator({ token: TOKEN });
    h = await startHarness({
      deploy: (port) => ({
        scheduler: 'nomad',
        block: `datacenters: [dc1]\ncount: 1\nport: ${port}\nhealth_path: /index.html\nupdate: { min_healthy_time: 1, healthy_deadline: 10, progress_deadline: 20 }`,
      }),
      env: { NOMAD_ADDR: nomad.url, NOMAD_TOKEN: TOKEN },
    });
  });
  after(async () => {
    await h?.close();
    await nomad?.close(); // stops every allocation and removes its container
  });

  const job = () => `${h.service}-production`;
  /** What the job's healthy allocation serves, on the port standing in for the static one. */
  const served = async () => {
    const alloc = nomad.allocations(job()).find((a) => a.DesiredStatus === 'run' && a.passing);
    return alloc?.port ? (await fetch(`http://127.0.0.1:${alloc.port}/index.html`)).text() : undefined;
  };

  it('a signed push: image in the registry, rolled out by Nomad by digest, deploy status success, Slack message', async (t) => {
    const sha = h.repo.commit(helloApp('Hello from Nomad'), 'Ship it to Nomad');
    const res = await h.push(sha, 'Ship it to Nomad');
    assert.equal(res.status, 202);
    const started = Date.now();
    const build = await h.finished(res.body.queued[0].id, 120_000);
    t.diagnostic(`push → deployed on Nomad in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.scheduler, d.state]), [['production', 'nomad', 'succeeded']], build.deploys[0]?.detail);
    assert.equal(build.deploys[0]?.detail, 'Deployment completed successfully (job version 0, 1/1 healthy)');

    firstDigest = (await h.manifestDigest(`git-${sha.slice(0, 7)}`)) ?? '';
    assert.equal(build.image?.digest, firstDigest);
    assert.equal(nomad.runningImage(job()), firstDigest);
    assert.match((await served()) ?? '', /Hello from Nomad/);

    // the job Nomad holds: the pinned image, the static port, the commit in Meta, a stable version
    const stored = nomad.job(job())!;
    assert.equal(stored.TaskGroups[0].Tasks[0].Config.image, `${h.registry}/${h.service}@${firstDigest}`);
    assert.deepEqual(stored.TaskGroups[0].Networks[0].ReservedPorts, [{ Label: 'http', Value: h.servicePort }]);
    assert.equal(stored.Meta.git_sha, sha);
    assert.equal(nomad.versions(job()).at(-1)?.Stable, true);
    assert.ok(nomad.requests.every((r) => r.token === TOKEN && r.query.namespace === 'default'), 'every call carries NOMAD_TOKEN and the namespace');

    await h.github.finalStatus(sha, `slipway/${h.service}/production`);
    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`)?.state, 'success');
    await h.slack.waitFor((m) => m.some((x) => x.text.includes(sha.slice(0, 7))), 5000);
    const text = JSON.stringify(h.slack.messages.at(-1)!.body);
    for (const part of [h.service, 'production', sha.slice(0, 7), 'Ship it to Nomad']) assert.ok(text.includes(part), `Slack message lacks ${part}: ${text}`);
    const log = await h.buildLog(build.id);
    assert.match(log, new RegExp(`\\[production\\] Registering job ${job()} version 0 \\(git-${sha.slice(0, 7)}\\)`));
    assert.match(log, /\[production\] Deployment [0-9a-f]{8}: 1\/1 healthy/);
  });

  it('a release that never becomes healthy: Nomad fails it and reverts, rolled_back status and Slack message', async (t) => {
    const started = Date.now();
    const { sha, build } = await pushNeverHealthy(h);
    t.diagnostic(`push → rolled back on Nomad in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    const deploy = build.deploys[0]!;
    assert.equal(deploy.state, 'rolled_back', deploy.detail);
    assert.match(deploy.detail ?? '', /^Failed due to unhealthy allocations - rolling back to job version 0 \(allocation [0-9a-f]{8}: Services not healthy by deadline\)$/);
    assert.equal(nomad.runningImage(job()), firstDigest);
    assert.match((await served()) ?? '', /Hello from Nomad/);
    assert.deepEqual(nomad.versions(job()).map((v) => [v.Version, v.Stable]), [[0, true], [1, false], [2, true]]);

    await h.github.finalStatus(sha, `slipway/${h.service}/production`);
    const latest = h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`);
    assert.equal(latest?.state, 'failure');
    assert.match(latest?.description ?? '', /^Rolled back in production: Failed due to unhealthy allocations/);
    await h.slack.waitFor((m) => m.some((x) => x.text.startsWith('Rolled back') && x.text.includes(sha.slice(0, 7))), 5000);
  });
});
