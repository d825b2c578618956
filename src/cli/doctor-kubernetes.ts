import type { Config } from '../config/config.ts';
import type { Pipeline } from '../core/pipeline.ts';
import { fail, guarded, message, ok, type CheckResult } from './doctor-checks.ts';

/**
 * `slipway doctor`'s line for the `kubernetes` scheduler: with the kubeconfig the deploy workers
 * use (KUBECONFIG, ~/.kube/config or in-cluster), every Deployment the pipelines name is read
 * (`get deployments`, the first verb of the Role a team grants). client-node loads only here.
 */
export function checkKubernetes(config: Config, pipelines: readonly Pipeline[]): Promise<CheckResult> {
  const name = 'Kubernetes';
  return guarded(name, async () => {
    const { kubeConfigFrom } = await import('../schedulers/kubernetes/kubernetes-scheduler.ts');
    const { createKubernetesApi } = await import('../schedulers/kubernetes/kubernetes-api.ts');
    const api = createKubernetesApi(kubeConfigFrom(config.kubernetes.kubeconfig));
    const where = `${api.server} (context ${api.context})`;
    const targets = new Set<string>();
    for (const t of pipelines.flatMap((p) => p.deploy).filter((t) => t.scheduler === 'kubernetes')) {
      const s = t.settings as { namespace?: string; deployment: string };
      targets.add(`${s.namespace ?? api.contextNamespace ?? 'default'}/${s.deployment}`);
    }
    for (const target of targets) {
      const [namespace, deployment] = target.split('/') as [string, string];
      try {
        await api.deployment(namespace, deployment);
      } catch (err) {
        return fail(name, `${where}: ${message(err)}`);
      }
    }
    return ok(name, `${where}: deployment(s) ${[...targets].join(', ')} found`);
  });
}
