import { SlipwayError } from '../../core/errors.ts';

/** What fleet's (and systemd's) unit-name rules and Docker's container-name rules both accept. */
const NAME_PART = /^[a-z0-9]+([._-][a-z0-9]+)*$/;

/**
 * `<service>-<environment>`: the template prefix of a (service, environment)'s units and of their
 * containers. Throws SCHEDULER_REJECTED when either part is not a plain lower-case name.
 */
export function unitPrefix(service: string, environment: string): string {
  for (const [what, value] of [['service', service], ['environment', environment]] as const) {
    if (!NAME_PART.test(value)) throw new SlipwayError('SCHEDULER_REJECTED', `${what} ${JSON.stringify(value)} cannot name a fleet unit`);
  }
  return `${service}-${environment}`;
}

/** `<prefix>@<instance>.service`: the unit of one instance. */
export function instanceUnitName(prefix: string, instance: number): string {
  return `${prefix}@${instance}.service`;
}

/** The instance number of `<prefix>@<N>.service`, or undefined for any other name. */
export function instanceOf(prefix: string, unitName: string): number | undefined {
  if (!unitName.startsWith(`${prefix}@`) || !unitName.endsWith('.service')) return undefined;
  const n = unitName.slice(prefix.length + 1, -'.service'.length);
  return /^[1-9][0-9]*$/.test(n) ? Number(n) : undefined;
}

/** `<prefix>-<instance>`: the container an instance runs, unique per machine. */
export function instanceContainerName(prefix: string, instance: number): string {
  return `${prefix}-${instance}`;
}
