// Where a task group could run: the emulated nodes, their attributes and capacity, constraint
// checks, and Nomad's placement metrics (FailedTGAllocs) when nothing fits.
import type { JobJson } from './state.ts';
import { arr } from './validate.ts';

/** A client node the emulator pretends to have. Allocations all run on this machine's engine. */
export interface EmulatedNode {
  readonly ID: string;
  readonly Name: string;
  readonly Datacenter: string;
  readonly NodeClass: string;
  readonly Attributes: Readonly<Record<string, string>>;
  readonly Meta: Readonly<Record<string, string>>;
  /** total capacity: MHz and MB */
  readonly CPU: number;
  readonly MemoryMB: number;
}

/** Three Linux nodes in dc1 with 4000 MHz and 4096 MB each. */
export function defaultNodes(): EmulatedNode[] {
  return [1, 2, 3].map((n) => ({
    ID: `0000000${n}-0000-4000-8000-00000000000${n}`,
    Name: `node-${n}`,
    Datacenter: 'dc1',
    NodeClass: '',
    Attributes: { 'kernel.name': 'linux', 'cpu.arch': 'amd64', 'unique.hostname': `node-${n}`, 'driver.docker': '1', 'os.name': 'debian' },
    Meta: {},
    CPU: 4000,
    MemoryMB: 4096,
  }));
}

export type Placement = { readonly nodes: EmulatedNode[]; readonly metric?: undefined } | { readonly nodes: []; readonly metric: Record<string, unknown> };

/**
 * The nodes a group's allocation may go to: in one of the job's datacenters, passing every
 * job, group and task constraint, with enough capacity for the group's tasks. (Capacity is a
 * node's total, not what is left: the emulator does not bin-pack.) None → the metrics Nomad
 * reports in FailedTGAllocs.
 */
export function placeGroup(job: JobJson, tg: any, nodes: readonly EmulatedNode[], desired: number): Placement {
  const dcs: string[] = arr(job.Datacenters);
  const inDc = nodes.filter((n) => dcs.some((dc) => dc === '*' || dc === n.Datacenter));
  const constraints = [...arr(job.Constraints), ...arr(tg.Constraints), ...arr(tg.Tasks).flatMap((t) => arr(t.Constraints))];
  const filtered: Record<string, number> = {};
  const exhausted: Record<string, number> = {};
  const fit: EmulatedNode[] = [];
  const cpu = arr(tg.Tasks).reduce((n, t) => n + (t.Resources?.CPU ?? 100), 0);
  const memory = arr(tg.Tasks).reduce((n, t) => n + (t.Resources?.MemoryMB ?? 300), 0);
  for (const node of inDc) {
    const failing = constraints.find((c) => !satisfies(node, c));
    if (failing) {
      const key = `${failing.LTarget} ${failing.Operand} ${failing.RTarget}`;
      filtered[key] = (filtered[key] ?? 0) + 1;
    } else if (memory > node.MemoryMB || cpu > node.CPU) {
      const dimension = memory > node.MemoryMB ? 'memory' : 'cpu';
      exhausted[dimension] = (exhausted[dimension] ?? 0) + 1;
    } else fit.push(node);
  }
  if (fit.length > 0) return { nodes: fit };
  const filteredCount = Object.values(filtered).reduce((a, b) => a + b, 0);
  return {
    nodes: [],
    metric: {
      NodesEvaluated: inDc.length, NodesFiltered: filteredCount, NodesInPool: nodes.length,
      NodesAvailable: Object.fromEntries(dcs.map((dc) => [dc, nodes.filter((n) => dc === '*' || n.Datacenter === dc).length])),
      ClassFiltered: null, ConstraintFiltered: filteredCount ? filtered : null,
      NodesExhausted: inDc.length - filteredCount, ClassExhausted: null, DimensionExhausted: Object.keys(exhausted).length ? exhausted : null,
      QuotaExhausted: null, ResourcesExhausted: null, Scores: null, ScoreMetaData: null, AllocationTime: 41_000, CoalescedFailures: Math.max(0, desired - 1),
    },
  };
}

/** Nomad's constraint operators on one node (version/semver and distinct_* are not modelled: they pass). */
function satisfies(node: EmulatedNode, c: any): boolean {
  const left = resolve(node, String(c.LTarget ?? ''));
  const right = resolve(node, String(c.RTarget ?? ''));
  const numeric = left !== undefined && right !== undefined && !Number.isNaN(Number(left)) && !Number.isNaN(Number(right));
  const cmp = (f: (a: number | string, b: number | string) => boolean) =>
    left !== undefined && right !== undefined && f(numeric ? Number(left) : left, numeric ? Number(right) : right);
  const set = (s: string | undefined) => new Set((s ?? '').split(',').map((x) => x.trim()).filter(Boolean));
  switch (c.Operand ?? '=') {
    case '=': case '==': case 'is': return left !== undefined && left === right;
    case '!=': case 'not': return left !== right;
    case '<': return cmp((a, b) => a < b);
    case '<=': return cmp((a, b) => a <= b);
    case '>': return cmp((a, b) => a > b);
    case '>=': return cmp((a, b) => a >= b);
    case 'regexp': return left !== undefined && new RegExp(right ?? '').test(left);
    case 'set_contains': case 'set_contains_all': return [...set(right)].every((x) => set(left).has(x));
    case 'set_contains_any': return [...set(right)].some((x) => set(left).has(x));
    case 'is_set': return left !== undefined;
    case 'is_not_set': return left === undefined;
    default: return true;
  }
}

/** `${attr.kernel.name}`, `${meta.rack}`, `${node.datacenter}`, … on a node; anything else is a literal. */
function resolve(node: EmulatedNode, target: string): string | undefined {
  const m = /^\$\{(.+)\}$/.exec(target);
  if (!m) return target;
  const path = m[1]!;
  if (path.startsWith('attr.')) return node.Attributes[path.slice(5)];
  if (path.startsWith('meta.')) return node.Meta[path.slice(5)];
  const fields: Record<string, string> = {
    'node.datacenter': node.Datacenter, 'node.unique.id': node.ID, 'node.unique.name': node.Name, 'node.class': node.NodeClass, 'node.pool': 'default',
  };
  return fields[path];
}
