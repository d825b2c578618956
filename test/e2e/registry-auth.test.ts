import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEcrEmulator, type EcrEmulator } from '../emulators/ecr.ts';
import { useFakeAwsEnv } from '../support/aws-env.ts';
import { testEnv } from '../support/env.ts';
import { helloApp, startHarness, type Harness } from './harness.ts';

/**
 * SLIPWAY_REGISTRY_AUTH=ecr end to end: a signed push is built and tested, pushed to the htpasswd
 * registry with the user and password from ECR's authorization token (the ECR emulator hands out
 * the htpasswd pair), deployed with the docker adapter, and reported on the commit.
 */
describe('push to a registry with ECR auth', { timeout: 300_000 }, () => {
  const env = testEnv();
  let ecr: EcrEmulator;
  let h: Harness;
  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = useFakeAwsEnv();
    ecr = await startEcrEmulator({ username: env.authUsername, password: env.authPassword });
    h = await startHarness({
      registry: env.authRegistry,
      env: { SLIPWAY_REGISTRY_AUTH: 'ecr', AWS_ENDPOINT_URL_ECR: ecr.url, AWS_REGION: 'us-east-1' },
    });
  });
  after(async () => {
    await h?.close();
    await ecr?.close();
    restoreEnv?.();
  });


  it('pushes with the ECR token to the auth registry, deploys, and reports success', async (t) => {
    const sha = h.repo.commit(helloApp('Hello through ECR auth'), 'Ship through ECR');
    const started = Date.now();
    const res = await h.push(sha, 'Ship through ECR');
    assert.equal(res.status, 202);
    const build = await h.finished(res.body.queued[0].id);
    t.diagnostic(`push → deployed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.stages.map((s) => [s.name, s.state]), [['clone', 'passed'], ['build', 'passed'], ['test', 'passed'], ['push', 'passed']]);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state]), [['production', 'succeeded']]);

    assert.ok((ecr.calls.GetAuthorizationToken ?? 0) >= 1, 'the token came from ECR');
    assert.equal(ecr.requests.at(-1)?.region, 'us-east-1');
    const digest = await h.manifestDigest(`git-${sha.slice(0, 7)}`);
    assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(build.image?.digest, digest);
    assert.match((await h.serviceAnswer()) ?? '', /Hello through ECR auth/);

    await Promise.all([h.github.finalStatus(sha, `slipway/${h.service}`), h.github.finalStatus(sha, `slipway/${h.service}/production`)]);
    const latest = h.github.latest('acme', h.service, sha);
    assert.equal(latest.get(`slipway/${h.service}`)?.state, 'success');
    assert.equal(latest.get(`slipway/${h.service}/production`)?.state, 'success');
  });

  it('the next push reuses the token, and the password is in neither log', async () => {
    const calls = ecr.calls.GetAuthorizationToken ?? 0;
    const sha = h.repo.commit(helloApp('Hello again through ECR auth'), 'Ship again');
    const build = await h.finished((await h.push(sha, 'Ship again')).body.queued[0].id);
    assert.equal(build.deploys[0]?.state, 'succeeded', build.deploys[0]?.detail ?? build.detail);
    assert.equal(ecr.calls.GetAuthorizationToken ?? 0, calls, 'no new token while the old one is good');

    const log = await h.buildLog(build.id);
    assert.match(log, /digest: sha256:/);
    for (const text of [log, ...h.operatorLog]) assert.ok(!text.includes(env.authPassword), 'a log contains the registry password');
  });
});
