// The API server's error answers (reference: shared/reference/apis.md §11, "Error bodies"): every
// one is a `Status` object, shaped like kubernetes/apimachinery `pkg/api/errors/errors.go` makes it.

export interface StatusCause { readonly reason: string; readonly message: string; readonly field: string }
export interface StatusDetails { readonly name?: string; readonly group?: string; readonly kind?: string; readonly causes?: readonly StatusCause[] }

/** A refusal the emulator answers with a `Status` body and `code` as the HTTP status. */
export class KubeError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: StatusDetails) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason,
      ...(this.details ? { details: this.details } : {}), code: this.code,
    };
  }
}

/** A resource as errors name it: `deployments.apps`, or `pods` in the core group. */
export interface Resource { readonly resource: string; readonly group: string; readonly kind: string }

export const DEPLOYMENTS: Resource = { resource: 'deployments', group: 'apps', kind: 'Deployment' };
export const REPLICASETS: Resource = { resource: 'replicasets', group: 'apps', kind: 'ReplicaSet' };
export const PODS: Resource = { resource: 'pods', group: '', kind: 'Pod' };
export const EVENTS: Resource = { resource: 'events', group: '', kind: 'Event' };

const qualified = (r: Resource) => (r.group ? `${r.resource}.${r.group}` : r.resource);

export const unauthorized = () => new KubeError(401, 'Unauthorized', 'Unauthorized');

export function forbidden(r: Resource, verb: string, user: string, namespace: string, name?: string): KubeError {
  const what = name === undefined ? qualified(r) : `${qualified(r)} "${name}"`;
  return new KubeError(403, 'Forbidden',
    `${what} is forbidden: User "${user}" cannot ${verb} resource "${r.resource}" in API group "${r.group}" in the namespace "${namespace}"`,
    { ...(name === undefined ? {} : { name }), group: r.group, kind: r.resource });
}

export const notFound = (r: Resource, name: string) =>
  new KubeError(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, group: r.group, kind: r.resource });

export const conflict = (r: Resource, name: string) =>
  new KubeError(409, 'Conflict',
    `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: r.group, kind: r.resource });

export const alreadyExists = (r: Resource, name: string) =>
  new KubeError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, { name, group: r.group, kind: r.resource });

export function invalid(r: Resource, name: string, causes: readonly StatusCause[]): KubeError {
  const kind = r.group ? `${r.kind}.${r.group}` : r.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const message = `${kind} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  return new KubeError(422, 'Invalid', message, { name, group: r.group, kind: r.kind, causes });
}

export const badRequest = (message: string) => new KubeError(400, 'BadRequest', message);

/** No route: what the API server answers for a path it does not serve. */
export const noRoute = () => new KubeError(404, 'NotFound', 'the server could not find the requested resource', {});

export const methodNotAllowed = (method: string) =>
  new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, { kind: method });

export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

export const unsupportedMediaType = (accepted: readonly string[]) =>
  new KubeError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
