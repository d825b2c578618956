/**
 * The `kubernetes` adapter passes the scheduler contract against the Kubernetes API server
 * emulator, whose pods run for real in the test Docker engine from the test registry. Run with
 * `npm test -- test/contract/kubernetes.contract.test.ts`.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createKubernetesScheduler } from '../../src/schedulers/kubernetes/kubernetes-scheduler.ts';
import { kubeconfig, startKubernetesEmulator } from '../emulators/kubernetes.ts';
import { siteDeployment } from '../emulators/kubernetes/site-deployment.ts';
import { freePort } from '../support/free-port.ts';
import { publishSite } from '../support/images.ts';
import { schedulerContract } from './scheduler-contract.ts';

const TOKEN = 'contract-kubernetes-token';
const NAMESPACE = 'web';

function config(yaml: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
}

schedulerContract('kubernetes', async () => {
  const cluster = await startKubernetesEmulator({ token: TOKEN });
  return {
    scheduler: createKubernetesScheduler(config(cluster.kubeconfig({ namespace: NAMESPACE })), { pollIntervalMs: 200 }),
    unreachable: createKubernetesScheduler(config(kubeconfig(`http://127.0.0.1:${await freePort()}`, TOKEN, NAMESPACE))),
    // the team's Deployment, applied before Slipway's first deploy; a release that never gets
    // ready is judged by the controller's own progress deadline, well within the contract's
    async settings(service) {
      const running = await publishSite(service, 'before slipway');
      await cluster.createDeployment(NAMESPACE, siteDeployment(service, `${running.repository}@${running.digest}`, { progressDeadlineSeconds: 10 }));
      return { deployment: service };
    },
    running: async (_service, _environment, s) => cluster.runningImage(NAMESPACE, String(s.deployment)),
    // a Deployment that does not exist: the API server answers 404
    rejectedSettings: async (service) => ({ deployment: `${service}-not-applied` }),
    close: () => cluster.close(),
  };
});
