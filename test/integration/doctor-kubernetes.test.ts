/**
 * `slipway doctor`'s Kubernetes line, against the API server emulator: every Deployment the
 * pipelines name is read with the kubeconfig KUBECONFIG names, and what is wrong is said in the
 * API server's words. Run with `npm test -- test/integration/doctor-kubernetes.test.ts`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkKubernetes } from '../../src/cli/doctor-kubernetes.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { loadPipelines } from '../../src/config/load-pipelines.ts';
import { previewSettings, schedulerSettings } from '../../src/schedulers/settings.ts';
import { kubeconfig, startKubernetesEmulator, type KubernetesEmulator } from '../emulators/kubernetes.ts';
import { siteDeployment } from '../emulators/kubernetes/site-deployment.ts';
import { freePort } from '../support/free-port.ts';
import { makeTempDir, removeTempDir } from '../support/temp-dir.ts';

const TOKEN = 'doctor-kubernetes-token';

describe('slipway doctor: kubernetes', { timeout: 60_000 }, () => {
  let k8s: KubernetesEmulator;
  let dir = '';

  before(async () => {
    k8s = await startKubernetesEmulator({ token: TOKEN });
    // no replicas: the doctor only reads the Deployment
    await k8s.createDeployment('web', siteDeployment('hello', `127.0.0.1:1/hello@sha256:${'0'.repeat(64)}`, { replicas: 0 }));
    dir = makeTempDir('slipway-doctor-kubernetes-');
  });
  after(async () => {
    await k8s?.close();
    if (dir) removeTempDir(dir);
  });

  /** The Kubernetes line for pipelines deploying to `deployments` (in the context's namespace, `web`), with this kubeconfig. */
  async function check(config: string, deployments: string[]) {
    writeFileSync(join(dir, 'kubeconfig'), config);
    const pipelines = join(dir, 'pipelines');
    rmSync(pipelines, { recursive: true, force: true });
    mkdirSync(pipelines);
    deployments.forEach((d, i) => writeFileSync(join(pipelines, `s${i}.yml`), `service: s${i}\nrepository: acme/s${i}\ndeploy:\n  - branch: main\n    environment: production\n    scheduler: kubernetes\n    kubernetes:\n      deployment: ${d}\n`));
    const env = { GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: '127.0.0.1:5000', KUBECONFIG: join(dir, 'kubeconfig'), SLIPWAY_PIPELINES_DIR: pipelines };
    return checkKubernetes(loadConfig(env), loadPipelines(pipelines, schedulerSettings, previewSettings));
  }

  it('is ok when every Deployment the pipelines name can be read, naming the server and context', async () => {
    const r = await check(k8s.kubeconfig({ namespace: 'web' }), ['hello']);
    assert.deepEqual(r, { name: 'Kubernetes', outcome: 'ok', detail: `${k8s.url} (context emulator): deployment(s) web/hello found` });
  });

  it('fails on a Deployment that does not exist, a token the server refuses, and a server nobody answers at', async () => {
    const missing = await check(k8s.kubeconfig({ namespace: 'web' }), ['hello', 'shop']);
    assert.equal(missing.outcome, 'fail');
    assert.match(missing.detail, /deployments.apps "shop" not found in namespace web \(404\): Slipway updates an existing Deployment; create it first/);
    const refused = await check(k8s.kubeconfig({ namespace: 'web', token: 'stale' }), ['hello']);
    assert.match(refused.detail, /refused the credentials of context emulator \(401 Unauthorized\)/);
    const away = await check(kubeconfig(`http://127.0.0.1:${await freePort()}`, TOKEN, 'web'), ['hello']);
    assert.match(away.detail, /cannot reach the Kubernetes API at http:\/\/127.0.0.1:\d+ \(context emulator\) to get deployment "hello": ECONNREFUSED/);
  });
});
