// What the API server does to a Deployment before storing it: fill defaults (kubernetes/api
// apps/v1 and core/v1 defaults), validate (422 with causes), and bump `metadata.generation` when
// the spec or the annotations changed (pkg/registry/apps/deployment/strategy.go).
import { canonical } from './objects.ts';
import { DEPLOYMENTS, invalid, type StatusCause } from './status-error.ts';

type Json = any;

export function withDefaults(d: Json): Json {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: 'RollingUpdate' };
  if (spec.strategy.type === 'RollingUpdate') spec.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...spec.strategy.rollingUpdate };
  const pod = ((spec.template ??= {}).spec ??= {});
  pod.restartPolicy ??= 'Always';
  pod.terminationGracePeriodSeconds ??= 30;
  pod.dnsPolicy ??= 'ClusterFirst';
  for (const c of Array.isArray(pod.containers) ? pod.containers : []) {
    c.imagePullPolicy ??= /:latest$|^[^:@]*$/.test(String(c.image ?? '')) ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    if (c.readinessProbe) c.readinessProbe = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, ...c.readinessProbe };
  }
  return d;
}

/** Refuses an invalid Deployment with 422 and one cause per problem; `before` is the stored one on an update. */
export function validate(d: Json, before?: Json): void {
  const causes: StatusCause[] = [];
  const add = (reason: string, field: string, message: string) => causes.push({ reason, field, message });
  const spec = d.spec;
  if (!Number.isInteger(spec.replicas) || spec.replicas < 0) add('FieldValueInvalid', 'spec.replicas', `Invalid value: ${spec.replicas}: must be greater than or equal to 0`);
  const containers = spec.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) add('FieldValueRequired', 'spec.template.spec.containers', 'Required value');
  const names = new Set<string>();
  (Array.isArray(containers) ? containers : []).forEach((c: Json, i: number) => {
    if (!c.name) add('FieldValueRequired', `spec.template.spec.containers[${i}].name`, 'Required value');
    else if (names.has(c.name)) add('FieldValueDuplicate', `spec.template.spec.containers[${i}].name`, `Duplicate value: "${c.name}"`);
    names.add(c.name);
    if (typeof c.image !== 'string' || c.image.trim() === '') add('FieldValueRequired', `spec.template.spec.containers[${i}].image`, 'Required value');
  });
  const labels = spec.template?.metadata?.labels ?? {};
  const selector = spec.selector?.matchLabels ?? {};
  if (Object.keys(selector).length === 0) add('FieldValueRequired', 'spec.selector', 'Required value');
  else if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    add('FieldValueInvalid', 'spec.template.metadata.labels', `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``);
  }
  if (before && canonical(before.spec.selector) !== canonical(spec.selector)) add('FieldValueInvalid', 'spec.selector', `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable`);
  const rolling = spec.strategy?.rollingUpdate;
  if (spec.strategy?.type === 'RollingUpdate' && isZero(rolling?.maxSurge) && isZero(rolling?.maxUnavailable)) {
    add('FieldValueInvalid', 'spec.strategy.rollingUpdate.maxUnavailable', 'Invalid value: 0: may not be 0 when `maxSurge` is 0');
  }
  if (!['RollingUpdate', 'Recreate'].includes(spec.strategy?.type)) {
    add('FieldValueNotSupported', 'spec.strategy.type', `Unsupported value: "${spec.strategy?.type}": supported values: "Recreate", "RollingUpdate"`);
  }
  if (causes.length > 0) throw invalid(DEPLOYMENTS, d.metadata?.name ?? '', causes);
}

const isZero = (v: unknown) => v === 0 || v === '0%';

/** generation + 1 when the spec or the annotations differ from what was stored. */
export function nextGeneration(after: Json, before: Json): number {
  const changed = canonical(after.spec) !== canonical(before.spec) || canonical(after.metadata.annotations ?? {}) !== canonical(before.metadata.annotations ?? {});
  return before.metadata.generation + (changed ? 1 : 0);
}

/** An int-or-percent of `total`, rounded up (maxSurge) or down (maxUnavailable). */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(String(value ?? '0'));
  if (!m) return Number(value) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
