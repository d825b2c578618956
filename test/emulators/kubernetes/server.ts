// Local emulator of a Kubernetes API server (reference: shared/reference/apis.md §11) on 127.0.0.1
// with an ephemeral port, plain http with bearer tokens. Every error is a `Status` body.
import { randomBytes } from 'node:crypto';
import { createDockerClient } from '../../../src/docker/docker-client.ts';
import { testEnv } from '../../support/env.ts';
import { listen, sendJson } from '../http-util.ts';
import { Cluster } from './cluster.ts';
import { controlledBy, Objects } from './objects.ts';
import { EMULATOR_LABEL, readySince } from './pod-runner.ts';
import { ROUTES, type Call } from './routes.ts';
import { forbidden, KubeError, methodNotAllowed, noRoute, unauthorized } from './status-error.ts';
import { serveWatch } from './watch.ts';

type Json = any;

export interface KubernetesEmulatorOptions {
  /** the bearer token every request must carry; none: anonymous requests are served */
  readonly token?: string;
  /** who the token is, in 403 messages */
  readonly user?: string;
  /** an RBAC Role's rules: when given, only what they allow is served (403 otherwise) */
  readonly rules?: readonly PolicyRule[];
  /** time between two controller passes; default 100 ms */
  readonly tickMs?: number;
  /** the kubelet's first back-off after a failed pull or a crash; default 1 s (a kubelet's is 10 s) */
  readonly backoffMs?: number;
  /** how long a new generation goes unobserved by the controller; default 0 (one pass) */
  readonly observeLagMs?: number;
  readonly dockerHost?: string;
}

/** One rule of an RBAC Role (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType?: string;
  readonly body: string;
  status: number;
}

export interface KubernetesEmulator {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** a kubeconfig (YAML) for this server, with the token and the context's namespace */
  kubeconfig(options?: { token?: string; namespace?: string }): string;
  /** creates a Deployment as `POST …/deployments` would (defaults, validation), as a cluster admin */
  createDeployment(namespace: string, manifest: Json): Promise<Json>;
  deployment(namespace: string, name: string): Json | undefined;
  replicaSets(namespace: string, deployment: string): Json[];
  pods(namespace: string, deployment: string): Json[];
  events(namespace: string): Json[];
  /** the digests the deployment's Ready pods run, sorted and comma-joined; undefined if none is Ready */
  runningImage(namespace: string, deployment: string): string | undefined;
  /** requests to `verb` `resource` (e.g. `patch deployments`) are answered 403 */
  forbid(verb: string, resource: string): void;
  /** runs `hook` before the next write of a deployment (e.g. to change it underneath the writer) */
  beforeNextWrite(hook: () => void | Promise<void>): void;
  /** removes every pod's container and stops the server */
  close(): Promise<void>;
}

export async function startKubernetesEmulator(options: KubernetesEmulatorOptions = {}): Promise<KubernetesEmulator> {
  const emulatorId = randomBytes(6).toString('hex');
  const docker = createDockerClient(options.dockerHost ?? testEnv().dockerHost);
  const cluster = new Cluster({ docker, emulatorId, tickMs: options.tickMs ?? 100, backoffMs: options.backoffMs ?? 1000, observeLagMs: options.observeLagMs ?? 0 });
  const requests: RecordedRequest[] = [];
  const denied = new Set<string>();
  const hooks: (() => void | Promise<void>)[] = [];
  const user = options.user ?? 'system:serviceaccount:ci:deployer';
  const call = (method: string, namespace: string, name: string | undefined, raw: string, query = new URLSearchParams(), contentType?: string): Call => ({
    method, namespace, name, query, contentType, raw, cluster,
    authorize(verb, resource, objectName) {
      const allowed = !options.rules || options.rules.some((r) => allows(r, resource.group, resource.resource, verb, objectName));
      if (!allowed || denied.has(`${verb} ${resource.resource}`)) throw forbidden(resource, verb, user, namespace, objectName);
    },
    beforeWrite: async () => hooks.shift()?.(),
  });
  const srv = await listen(async (req, res, raw) => {
    const record: RecordedRequest = { method: req.method ?? '', path: '', query: {}, contentType: req.headers['content-type'], body: raw, status: 0 };
    requests.push(record);
    const reply = (status: number, body: unknown) => ((record.status = status), sendJson(res, status, body));
    try {
      const url = new URL(req.url ?? '/', 'http://kubernetes');
      Object.assign(record, { path: url.pathname, query: Object.fromEntries(url.searchParams) });
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) throw unauthorized();
      const route = ROUTES.map(([re, handlers]) => [re.exec(url.pathname), handlers] as const).find(([m]) => m);
      if (!route) throw noRoute();
      const handler = route[1][req.method ?? ''];
      if (!handler) throw methodNotAllowed(req.method ?? '');
      const [, namespace, name] = route[0]!.map((p) => (p === undefined ? undefined : decodeURIComponent(p)));
      const c = call(req.method ?? '', namespace!, name, raw, url.searchParams, req.headers['content-type']);
      const answer = await handler(c);
      if (!['1', 'true'].includes(url.searchParams.get('watch') ?? '') || name !== undefined || req.method !== 'GET') return reply(200, answer);
      record.status = 200;
      serveWatch(req, res, url.searchParams, () => (handler(c) as { items: Json[] }).items);
    } catch (err) {
      if (!(err instanceof KubeError)) throw err;
      reply(err.code, err.body());
    }
  });
  const owned = (namespace: string, name: string) => {
    const d = cluster.objects.deployments.get(Objects.key(namespace, name));
    return d ? [...cluster.objects.replicaSets.values()].filter((rs) => controlledBy(rs, d)) : [];
  };
  const podsOf = (namespace: string, name: string) => {
    const rss = owned(namespace, name);
    return [...cluster.objects.pods.values()].filter((p) => rss.some((rs) => controlledBy(p, rs)));
  };
  return {
    url: `http://127.0.0.1:${srv.port}`,
    requests,
    kubeconfig: (o = {}) => kubeconfig(`http://127.0.0.1:${srv.port}`, o.token ?? options.token, o.namespace),
    // the team's own apply, as a cluster admin: no Role applies
    createDeployment: async (namespace, manifest) => ROUTES[0]![1].POST!({ ...call('POST', namespace, undefined, JSON.stringify(manifest)), authorize: () => undefined }),
    deployment: (namespace, name) => cluster.objects.deployments.get(Objects.key(namespace, name)),
    replicaSets: owned,
    pods: podsOf,
    events: (namespace) => cluster.objects.events.filter((e) => e.metadata.namespace === namespace),
    runningImage(namespace, name) {
      const ready = podsOf(namespace, name).filter((p) => readySince(p) !== undefined);
      const digests = [...new Set(ready.flatMap((p) => p.spec.containers.map((c: Json) => c.image.split('@')[1] ?? c.image)))].sort();
      return digests.length > 0 ? digests.join(',') : undefined;
    },
    forbid: (verb, resource) => void denied.add(`${verb} ${resource}`),
    beforeNextWrite: (hook) => void hooks.push(hook),
    async close() {
      await cluster.close();
      const left = await docker.listContainers({ all: true, filters: { label: [`${EMULATOR_LABEL}=${emulatorId}`] } }).catch(() => []);
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      await srv.close();
    },
  };
}

/** RBAC's match: group, resource and verb (`*` for any), and the object's name when the rule lists names. */
function allows(rule: PolicyRule, group: string, resource: string, verb: string, name: string | undefined): boolean {
  const has = (list: readonly string[], value: string) => list.includes('*') || list.includes(value);
  const named = !rule.resourceNames?.length || (name !== undefined && rule.resourceNames.includes(name));
  return has(rule.apiGroups, group) && has(rule.resources, resource) && has(rule.verbs, verb) && named;
}

/**
 * A kubeconfig for an http server: client-node refuses `http://` unless the cluster entry says
 * `insecure-skip-tls-verify: true` (reference §11.x).
 */
export function kubeconfig(server: string, token: string | undefined, namespace?: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'current-context: emulator',
    'clusters:', '- name: emulator', '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: deployer', '  user:', ...(token ? [`    token: ${token}`] : ['    {}']),
    'contexts:', '- name: emulator', '  context:', '    cluster: emulator', '    user: deployer', ...(namespace ? [`    namespace: ${namespace}`] : []),
  ].join('\n') + '\n';
}
