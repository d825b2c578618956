/**
 * End to end on Kubernetes: the whole product (real Redis, Docker, registry, git; GitHub and Slack
 * emulated) deploying with the `kubernetes` scheduler to the API server emulator, whose pods really
 * run on the test engine from the test registry. Slipway finds the cluster through KUBECONFIG,
 * kubectl's own variable; the team applied the Deployment beforehand.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKubernetesEmulator, type KubernetesEmulator } from '../emulators/kubernetes.ts';
import { siteDeployment } from '../emulators/kubernetes/site-deployment.ts';
import { publishSite } from '../support/images.ts';
import { makeTempDir, removeTempDir } from '../support/temp-dir.ts';
import { type Harness, helloApp, pushNeverHealthy, startHarness } from './harness.ts';

const TOKEN = 'e2e-kubernetes-token';
const NS = 'web';

describe('push to production on Kubernetes', { timeout: 600_000 }, () => {
  let h: Harness;
  let k8s: KubernetesEmulator;
  let dir = '';
  let firstDigest = '';

  before(async () => {
    k8s = await startKubernetesEmulator({ token: TOKEN });
    dir = makeTempDir('slipway-kubeconfig-');
    writeFileSync(join(dir, 'config'), k8s.kubeconfig({ namespace: NS }));
    h = await startHarness({
      deploy: (_port, service) => ({ scheduler: 'kubernetes', block: `deployment: ${service}` }),
      env: { KUBECONFIG: join(dir, 'config') },
    });
    // what the team applied before pointing Slipway at it: the Deployment, running some image
    const applied = await publishSite(h.service, 'applied by the team');
    await k8s.createDeployment(NS, siteDeployment(h.service, `${applied.repository}@${applied.digest}`, { progressDeadlineSeconds: 8 }));
  });
  after(async () => {
    await h?.close();
    await k8s?.close(); // removes every pod's container
    if (dir) removeTempDir(dir);
  });

  it('a signed push: image in the registry, set on the Deployment by digest, rolled out, deploy status success, Slack message', async (t) => {
    const sha = h.repo.commit(helloApp('Hello from Kubernetes'), 'Ship it to Kubernetes');
    const res = await h.push(sha, 'Ship it to Kubernetes');
    assert.equal(res.status, 202);
    const started = Date.now();
    const build = await h.finished(res.body.queued[0].id, 120_000);
    t.diagnostic(`push → rolled out on Kubernetes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.scheduler, d.state]), [['production', 'kubernetes', 'succeeded']], build.deploys[0]?.detail);
    assert.equal(build.deploys[0]?.detail, `deployment "${h.service}" successfully rolled out (revision 2, 1/1 available)`);

    firstDigest = (await h.manifestDigest(`git-${sha.slice(0, 7)}`)) ?? '';
    assert.equal(build.image?.digest, firstDigest);
    assert.equal(k8s.runningImage(NS, h.service), firstDigest);
    assert.equal(k8s.deployment(NS, h.service).spec.template.spec.containers[0].image, `${h.registry}/${h.service}@${firstDigest}`);
    assert.ok(k8s.requests.every((r) => r.path.includes(`/namespaces/${NS}/`)), 'every call is in the context\'s namespace');

    await h.github.finalStatus(sha, `slipway/${h.service}/production`);
    assert.equal(h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`)?.state, 'success');
    await h.slack.waitFor((m) => m.some((x) => x.text.includes(sha.slice(0, 7))), 5000);
    const log = await h.buildLog(build.id);
    assert.match(log, new RegExp(`\\[production\\] Deployment ${NS}/${h.service} on ${k8s.url} \\(context emulator\\)`));
    assert.match(log, new RegExp(`\\[production\\] deployment "${h.service}" successfully rolled out`));
  });

  it('a release that never becomes ready: the controller gives up, Slipway undoes it, rolled_back status with the probe\'s words', async (t) => {
    const started = Date.now();
    const { sha, build } = await pushNeverHealthy(h);
    t.diagnostic(`push → rolled back on Kubernetes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(build.state, 'passed', build.detail);
    const deploy = build.deploys[0]!;
    assert.equal(deploy.state, 'rolled_back', deploy.detail);
    assert.match(deploy.detail ?? '', new RegExp(`^deployment "${h.service}" exceeded its progress deadline; pod ${h.service}-\\w+-\\w+: container app is running but not ready; last event: Unhealthy: Readiness probe failed: `));
    assert.equal(k8s.runningImage(NS, h.service), firstDigest);
    assert.equal(k8s.deployment(NS, h.service).metadata.annotations['deployment.kubernetes.io/revision'], '4');

    await h.github.finalStatus(sha, `slipway/${h.service}/production`);
    const latest = h.github.latest('acme', h.service, sha).get(`slipway/${h.service}/production`);
    assert.equal(latest?.state, 'failure');
    assert.match(latest?.description ?? '', /^Rolled back in production: deployment ".*" exceeded its progress deadline/);
    await h.slack.waitFor((m) => m.some((x) => x.text.startsWith('Rolled back') && x.text.includes(sha.slice(0, 7))), 5000);
  });
});
