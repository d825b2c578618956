// The API server's paths for Deployments (get, list, create, patch, replace), ReplicaSets, Pods and
// Events (list, with label and field selectors), as reference §11's table has them.
import { nextGeneration, validate, withDefaults } from './admission.ts';
import type { Cluster } from './cluster.ts';
import { canonical, Objects } from './objects.ts';
import { applyPatch } from './patch.ts';
import { matchesFields, matchesLabels } from './selectors.ts';
import { alreadyExists, badRequest, conflict, DEPLOYMENTS, EVENTS, KubeError, notFound, PODS, REPLICASETS, type Resource } from './status-error.ts';

type Json = any;

export interface Call {
  readonly method: string;
  readonly namespace: string;
  readonly name?: string;
  readonly query: URLSearchParams;
  readonly contentType?: string;
  readonly raw: string;
  readonly cluster: Cluster;
  /** throws 403 unless the caller may `verb` the resource (with the object's name, if any) */
  authorize(verb: string, resource: Resource, name?: string): void;
  /** runs any hook a test set for the next write of a deployment */
  beforeWrite(): Promise<void>;
}

type Handler = (call: Call) => Json | Promise<Json>;

const LISTS: Readonly<Record<string, { resource: Resource; kind: string; apiVersion: string; map: (o: Objects) => Iterable<Json> }>> = {
  deployments: { resource: DEPLOYMENTS, kind: 'DeploymentList', apiVersion: 'apps/v1', map: (o) => o.deployments.values() },
  replicasets: { resource: REPLICASETS, kind: 'ReplicaSetList', apiVersion: 'apps/v1', map: (o) => o.replicaSets.values() },
  pods: { resource: PODS, kind: 'PodList', apiVersion: 'v1', map: (o) => o.pods.values() },
  events: { resource: EVENTS, kind: 'EventList', apiVersion: 'v1', map: (o) => o.events },
};

/** [path pattern, kind of list, handlers by method]; the pattern captures namespace and name. */
export const ROUTES: readonly [RegExp, Readonly<Record<string, Handler>>][] = [
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/, { GET: list('deployments'), POST: create }],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/, { GET: get, PATCH: patch, PUT: replace }],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets$/, { GET: list('replicasets') }],
  [/^\/api\/v1\/namespaces\/([^/]+)\/pods$/, { GET: list('pods') }],
  [/^\/api\/v1\/namespaces\/([^/]+)\/events$/, { GET: list('events') }],
];

function list(kind: keyof typeof LISTS): Handler {
  return (call) => {
    const l = LISTS[kind]!;
    call.authorize(call.query.get('watch') ? 'watch' : 'list', l.resource);
    const labels = call.query.get('labelSelector') ?? '';
    const fields = call.query.get('fieldSelector') ?? '';
    const items = [...l.map(call.cluster.objects)].filter((o) => o.metadata.namespace === call.namespace && matchesLabels(o.metadata.labels, labels) && matchesFields(o, fields));
    return { kind: l.kind, apiVersion: l.apiVersion, metadata: { resourceVersion: call.cluster.objects.listVersion() }, items };
  };
}

function stored(call: Call): Json {
  const d = call.cluster.objects.deployments.get(Objects.key(call.namespace, call.name!));
  if (!d) throw notFound(DEPLOYMENTS, call.name!);
  return d;
}

function get(call: Call): Json {
  call.authorize('get', DEPLOYMENTS, call.name);
  return stored(call);
}

function parse(raw: string): Json {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding the body: ${(err as Error).message}`);
  }
}

async function create(call: Call): Promise<Json> {
  const body = parse(call.raw);
  const name = body?.metadata?.name;
  call.authorize('create', DEPLOYMENTS, name);
  if (!name) throw new KubeError(422, 'Invalid', 'Deployment.apps "" is invalid: metadata.name: Required value: name or generateName is required', { kind: 'Deployment', group: 'apps', causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] });
  const objects = call.cluster.objects;
  if (objects.deployments.has(Objects.key(call.namespace, name))) throw alreadyExists(DEPLOYMENTS, name);
  const d = withDefaults({ ...body, kind: 'Deployment', apiVersion: 'apps/v1', status: {} });
  validate(d);
  d.metadata = objects.meta(call.namespace, name, { ...body.metadata, generation: 1 });
  if (dryRun(call)) return d;
  objects.deployments.set(Objects.key(call.namespace, name), d);
  call.cluster.wrote(d);
  return d;
}

async function patch(call: Call): Promise<Json> {
  call.authorize('patch', DEPLOYMENTS, call.name);
  await call.beforeWrite();
  return write(call, applyPatch(call.contentType, stored(call), call.raw));
}

async function replace(call: Call): Promise<Json> {
  call.authorize('update', DEPLOYMENTS, call.name);
  const body = parse(call.raw);
  if (body?.metadata?.name !== call.name) throw badRequest(`the name of the object (${body?.metadata?.name}) does not match the name on the URL (${call.name})`);
  await call.beforeWrite();
  if (!body.metadata.resourceVersion) throw new KubeError(422, 'Invalid', `Deployment.apps "${call.name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`, { name: call.name, group: 'apps', kind: 'Deployment', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }] });
  return write(call, { ...body, status: stored(call).status });
}

/**
 * Stores an update of the current object: conditional when it carries a resourceVersion other than
 * the stored one (409), validated, and with the generation bumped when spec or annotations changed.
 */
function write(call: Call, after: Json): Json {
  const current = stored(call);
  if (after.metadata?.resourceVersion !== undefined && after.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(DEPLOYMENTS, call.name!);
  const next = withDefaults(structuredClone(after));
  next.kind = 'Deployment';
  next.apiVersion = 'apps/v1';
  next.metadata = { ...next.metadata, name: current.metadata.name, namespace: current.metadata.namespace, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp, resourceVersion: current.metadata.resourceVersion };
  next.status = current.status;
  validate(next, current);
  next.metadata.generation = nextGeneration(next, current);
  if (dryRun(call)) return next;
  if (canonical(next) === canonical(current)) return current;
  call.cluster.objects.touch(next);
  call.cluster.objects.deployments.set(Objects.key(call.namespace, call.name!), next);
  if (next.metadata.generation !== current.metadata.generation) call.cluster.wrote(next);
  return next;
}

const dryRun = (call: Call) => call.query.getAll('dryRun').includes('All');
