import {
  AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions,
  type CoreV1Event, type KubeConfig, type V1Deployment, type V1Pod, type V1ReplicaSet,
} from '@kubernetes/client-node';
import { kubernetesError } from './kubernetes-error.ts';

/** One JSON-patch operation (RFC 6902), as `kubectl rollout undo` sends them. */
export interface JsonPatchOp { readonly op: 'replace' | 'test' | 'add' | 'remove'; readonly path: string; readonly value?: unknown }

/**
 * The calls the `kubernetes` scheduler makes, in one namespace, through the official client.
 * Every failure is a SlipwayError (kubernetes-error.ts); these are the verbs README's Role grants.
 */
export interface KubernetesApi {
  /** the API server's address and the kubeconfig context, for messages */
  readonly server: string;
  readonly context: string;
  /** the current context's namespace, if it names one */
  readonly contextNamespace?: string;
  deployment(namespace: string, name: string): Promise<V1Deployment>;
  /** a strategic merge patch (kubectl's default patch type) */
  mergePatch(namespace: string, name: string, body: object): Promise<V1Deployment>;
  jsonPatch(namespace: string, name: string, ops: readonly JsonPatchOp[]): Promise<V1Deployment>;
  replicaSets(namespace: string, labelSelector: string): Promise<V1ReplicaSet[]>;
  pods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  /** events about one object (`involvedObject.name`) */
  events(namespace: string, objectName: string): Promise<CoreV1Event[]>;
}

export function createKubernetesApi(kc: KubeConfig): KubernetesApi {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const server = kc.getCurrentCluster()?.server ?? 'no cluster';
  const context = kc.getCurrentContext() || 'none';
  const call = async <T>(verb: string, what: string, namespace: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw kubernetesError(err, { verb, what, namespace, server, context });
    }
  };
  const patch = (namespace: string, name: string, body: unknown, type: string) =>
    call('patch', `deployment "${name}"`, namespace, () => apps.patchNamespacedDeployment({ name, namespace, body }, setHeaderOptions('Content-Type', type)));
  return {
    server,
    context,
    contextNamespace: kc.getContextObject(kc.getCurrentContext())?.namespace || undefined,
    deployment: (namespace, name) => call('get', `deployment "${name}"`, namespace, () => apps.readNamespacedDeployment({ name, namespace })),
    mergePatch: (namespace, name, body) => patch(namespace, name, body, PatchStrategy.StrategicMergePatch),
    jsonPatch: (namespace, name, ops) => patch(namespace, name, ops, PatchStrategy.JsonPatch),
    replicaSets: async (namespace, labelSelector) =>
      (await call('list', 'replicasets', namespace, () => apps.listNamespacedReplicaSet({ namespace, labelSelector }))).items,
    pods: async (namespace, labelSelector) => (await call('list', 'pods', namespace, () => core.listNamespacedPod({ namespace, labelSelector }))).items,
    events: async (namespace, objectName) =>
      (await call('list', 'events', namespace, () => core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${objectName}` }))).items,
  };
}
