// fleet's rules for unit names and unit options, after coreos/fleet api/units.go (ValidateName,
// ValidateOptions), job/job.go (X-Fleet requirements) and go-systemd unit/serialize.go (test-only code).
import { createHash } from 'node:crypto';

export interface UnitOption {
  section: string;
  name: string;
  value: string;
}

const UNIT_TYPES = new Set(['automount', 'busname', 'device', 'mount', 'path', 'scope', 'service', 'slice', 'snapshot', 'socket', 'swap', 'target', 'timer']);
const TEMPLATE_TYPES = new Set(['path', 'service', 'socket', 'target', 'timer']);
const VALID_CHARS = /^[A-Za-z0-9:\-_.\\@]*$/;
/** go-systemd's SYSTEMD_LINE_MAX: fleet refuses a unit with a longer line. */
const LINE_MAX = 2048;

/** fleet's ValidateName: the message of the first problem, or undefined for a valid name. */
export function unitNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'unit name cannot be empty';
  if (name.length > 256) return 'unit name exceeds maximum length (256)';
  const dot = name.lastIndexOf('.');
  if (dot === -1) return 'unit name must contain "."';
  if (dot === name.length - 1) return 'unit name cannot end in "."';
  const suffix = name.slice(dot + 1);
  if (!UNIT_TYPES.has(suffix)) return `invalid unit type: "${suffix}"`;
  if (name.includes('@') && !TEMPLATE_TYPES.has(suffix)) return `invalid unit type for template: "${suffix}"`;
  const bad = [...name.slice(0, dot)].find((c) => !VALID_CHARS.test(c));
  if (bad !== undefined) return `invalid character "${bad}" in unit name`;
  if (name.startsWith('@')) return 'unit name cannot start in "@"';
  return undefined;
}

/** The parts of a unit name fleet expands `%n %N %p %i` with. */
export function nameInfo(name: string): { full: string; name: string; prefix: string; instance: string; template: boolean } {
  const base = name.slice(0, Math.max(name.lastIndexOf('.'), 0));
  const at = base.indexOf('@');
  const prefix = at === -1 ? base : base.slice(0, at);
  const instance = at === -1 ? '' : base.slice(at + 1);
  return { full: name, name: base, prefix, instance, template: at !== -1 && instance === '' };
}

/** go-systemd's Serialize: sections in order of first appearance, a blank line between them. */
export function serializeUnit(options: readonly UnitOption[]): string {
  const sections = new Map<string, string[]>();
  for (const o of options) sections.set(o.section, [...(sections.get(o.section) ?? []), `${o.name}=${o.value}\n`]);
  return [...sections].map(([section, lines]) => `[${section}]\n${lines.join('')}`).join('\n');
}

/** The SHA1 fleet reports as a unit's `hash`. */
export function unitFileHash(options: readonly UnitOption[]): string {
  return createHash('sha1').update(serializeUnit(options)).digest('hex');
}

/** fleet's parseMultivalueLine: `"a=b" "c=d"` → two values; anything else is one value. */
function multivalue(line: string): string[] {
  if (!line.startsWith('"') || !line.endsWith('"')) return [line];
  const values: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === ' ' && !quoted) { values.push(current); current = ''; }
    else current += c;
  }
  return [...values, current];
}

/** The `[X-Fleet]` requirements of a unit, values split and `%n %N %p %i` expanded. */
export function requirements(name: string, options: readonly UnitOption[]): Map<string, string[]> {
  const info = nameInfo(name);
  const expand = (v: string) => v.replaceAll('%n', info.full).replaceAll('%N', info.name).replaceAll('%p', info.prefix).replaceAll('%i', info.instance);
  const out = new Map<string, string[]>();
  for (const o of options.filter((x) => x.section === 'X-Fleet')) out.set(o.name, [...(out.get(o.name) ?? []), ...multivalue(o.value).map(expand)]);
  return out;
}

/** What the scheduler needs of a unit's requirements. */
export interface Placement {
  machineID?: string;
  peers: string[];
  conflicts: string[];
  replaces: string[];
  global: boolean;
  metadata: Map<string, Set<string>>;
}

export function placement(name: string, options: readonly UnitOption[]): Placement {
  const req = requirements(name, options);
  const all = (...keys: string[]) => keys.flatMap((k) => req.get(k) ?? []);
  const metadata = new Map<string, Set<string>>();
  for (const pair of all('X-ConditionMachineMetadata', 'MachineMetadata')) {
    const [key, value, ...rest] = pair.split('=');
    if (rest.length === 0 && key && value) metadata.set(key, (metadata.get(key) ?? new Set()).add(value));
  }
  const global = req.get('Global')?.at(-1);
  return {
    machineID: all('MachineID', 'X-ConditionMachineID', 'X-ConditionMachineBootID')[0],
    peers: all('X-ConditionMachineOf', 'MachineOf'),
    conflicts: all('X-Conflicts', 'Conflicts').flatMap((v) => v.split(/\s+/).filter(Boolean)),
    replaces: all('Replaces'),
    global: ['true', 'yes', '1', 'on', 't'].includes((global ?? '').toLowerCase()),
    metadata,
  };
}

/**
 * fleet's ValidateOptions: the message of the first problem, or undefined. Checks what fleet's
 * round trip through go-systemd refuses (a line over 2048 bytes, a newline in a name) and the
 * X-Fleet combinations that cannot be satisfied.
 */
export function optionsProblem(name: string, options: readonly UnitOption[]): string | undefined {
  for (const o of options) {
    // a newline would start a line without `=` (real fleet accepts a few crafted ones; no unit needs them)
    if (/[\r\n]/.test(o.section + o.name + o.value)) return 'unexpected newline encountered while parsing option name';
    if (Buffer.byteLength(`${o.name}=${o.value}`) >= LINE_MAX) return `line too long (max ${LINE_MAX} bytes)`;
  }
  const p = placement(name, options);
  for (const peer of p.peers) {
    for (const c of p.conflicts) if (globMatch(c, peer)) return `unresolvable requirements: peer "${peer}" matches conflict "${c}"`;
    for (const r of p.replaces) if (globMatch(r, peer)) return `unresolvable requirements: peer "${peer}" matches replace "${r}"`;
  }
  const target = p.machineID !== undefined;
  if (target && p.peers.length) return 'MachineID cannot be used with Peers';
  if (target && p.conflicts.length) return 'MachineID cannot be used with Conflicts';
  if (target && p.global) return 'MachineID cannot be used with Global';
  if (target && p.replaces.length) return 'MachineID cannot be used with Replaces';
  if (p.global && p.peers.length) return 'Global cannot be used with Peers';
  // the reference (apis.md §8) lists Global with Conflicts; fleet itself allows it since v0.11
  if (p.global && p.conflicts.length) return 'Global cannot be used with Conflicts';
  if (p.global && p.replaces.length) return 'Global cannot be used with Replaces';
  if (p.conflicts.length && p.replaces.length) return 'Conflicts cannot be used with Replaces';
  return undefined;
}

/** Go's path.Match for the globs fleet uses: `*`, `?`, `[…]` (with `^` negation) and `\` escapes. */
export function globMatch(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) return false;
      const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`).test(name);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
