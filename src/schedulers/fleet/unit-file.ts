import { createHash } from 'node:crypto';
import { SlipwayError } from '../../core/errors.ts';
import { pinnedName } from '../../core/image.ts';
import type { Release } from '../../core/ports/scheduler.ts';
import type { FleetSettings } from './settings.ts';
import { systemdCommand } from './systemd-word.ts';
import { instanceContainerName, unitPrefix } from './unit-name.ts';

/** One line of a unit file as fleet's API carries it. */
export interface UnitOption {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

const DOCKER = '/usr/bin/docker';
const PINNED = /^[a-z0-9][a-z0-9.:/_-]*@sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * The options of instance `instance` of a release, the unit `<service>-<environment>@N.service`:
 * remove a leftover container, pull the digest-pinned image (never a tag), run it on the host
 * network with PORT and the pipeline's env (sorted, so the same release always gives the same unit
 * and hash), stop it by name; `Conflicts` keeps two instances off one machine and
 * `MachineMetadata` limits the machines. Pure. Values are escaped for systemd's command-line
 * parser; throws SCHEDULER_REJECTED for values no escaping makes safe (newlines, odd names).
 */
export function unitOptions(release: Release, settings: FleetSettings, instance: number): UnitOption[] {
  const prefix = unitPrefix(release.service, release.environment);
  const image = pinnedName(release.image);
  if (!PINNED.test(image)) throw new SlipwayError('SCHEDULER_REJECTED', `image ${image} is not a digest-pinned reference fleet can pull`);
  if (!TAG.test(release.image.tag)) throw new SlipwayError('SCHEDULER_REJECTED', `image tag ${JSON.stringify(release.image.tag)} cannot go into a unit file`);
  const container = instanceContainerName(prefix, instance);
  const env = [['PORT', String(settings.port)], ...Object.entries(settings.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))];
  const run = [DOCKER, 'run', '--rm', '--name', container, '--net', 'host', ...env.flatMap(([k, v]) => ['-e', `${k}=${v}`]), image];
  const metadata = Object.entries(settings.machine_metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    { section: 'Unit', name: 'Description', value: `${release.service} ${release.environment} ${release.image.tag} instance ${instance}` },
    { section: 'Unit', name: 'After', value: 'docker.service' },
    { section: 'Unit', name: 'Requires', value: 'docker.service' },
    // the pull may take longer than systemd's default start timeout; Slipway's deadline bounds it
    { section: 'Service', name: 'TimeoutStartSec', value: '0' },
    { section: 'Service', name: 'ExecStartPre', value: `-${systemdCommand([DOCKER, 'rm', '-f', container])}` },
    { section: 'Service', name: 'ExecStartPre', value: systemdCommand([DOCKER, 'pull', image]) },
    { section: 'Service', name: 'ExecStart', value: systemdCommand(run) },
    { section: 'Service', name: 'ExecStop', value: systemdCommand([DOCKER, 'stop', container]) },
    { section: 'X-Fleet', name: 'Conflicts', value: `${prefix}@*.service` },
    ...metadata.map(([key, value]) => ({ section: 'X-Fleet', name: 'MachineMetadata', value: `${key}=${value}` })),
  ];
}

/**
 * The unit file text fleet hashes, as go-systemd serializes options: sections in order of first
 * appearance, `Name=Value` lines, a blank line between sections.
 */
export function unitFileText(options: readonly UnitOption[]): string {
  const sections = new Map<string, UnitOption[]>();
  for (const option of options) sections.set(option.section, [...(sections.get(option.section) ?? []), option]);
  return [...sections].map(([section, lines]) => `[${section}]\n${lines.map((o) => `${o.name}=${o.value}\n`).join('')}`).join('\n');
}

/** The SHA1 of the unit file: what fleet reports as a unit state's `hash`. */
export function unitHash(options: readonly UnitOption[]): string {
  return createHash('sha1').update(unitFileText(options)).digest('hex');
}

/** True when two option lists make the same unit file (fleet compares them the same way). */
export function sameUnit(a: readonly UnitOption[], b: readonly UnitOption[]): boolean {
  return unitFileText(a) === unitFileText(b);
}

/** The digest-pinned image a unit's `ExecStart` runs, if it names one. */
export function unitImage(options: readonly UnitOption[]): string | undefined {
  const start = options.find((o) => o.section === 'Service' && o.name === 'ExecStart')?.value ?? '';
  return start.split(/\s+/).find((word) => PINNED.test(word));
}

/** A short name of what a unit runs, for the log: its release tag when it says one, else the image. */
export function unitLabel(options: readonly UnitOption[]): string {
  const description = options.find((o) => o.section === 'Unit' && o.name === 'Description')?.value ?? '';
  const tag = /\bgit-[0-9a-f]{7,40}\b/.exec(description)?.[0];
  const image = unitImage(options);
  return tag ?? (image ? `${image.split('/').pop()!.slice(0, -52)}` : 'an unknown image');
}
