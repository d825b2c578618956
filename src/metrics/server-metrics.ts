import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Metric, Registry } from 'prom-client';
import { lazyLoad } from '../core/lazy-load.ts';
import { BUILD_QUEUE, DEPLOY_QUEUE, PREVIEW_QUEUE } from '../queue/jobs.ts';
import { BUILDS_TOTAL, DEPLOYS_TOTAL, DURATION_BUCKETS as BOUNDS, ROLLOUT_SECONDS, STAGE_SECONDS, type CountField, type Labels, type OutcomeCounts } from './outcome-counts.ts';

/**
 * What `GET /metrics` serves, built with prom-client (Prometheus's own Node.js client: its text
 * format, escaping and metric types are the ones Prometheus parses, which hand-written output
 * would have to get exactly right).
 *
 * Two kinds of figures, by who can see them:
 * - what the server itself sees, kept in its memory: webhook answers by status, and the process's
 *   own figures (prom-client's defaults);
 * - what the whole system does, read from Redis when scraped, so one server reports every worker:
 *   build and deploy outcomes and their durations (outcome-counts.ts counts them where they settle),
 *   and the jobs waiting, active and delayed in each BullMQ queue.
 *
 * prom-client (with the OpenTelemetry API it imports: about 40 ms of CPU and 40 modules in a start
 * profile) is loaded at the first scrape, so a server nobody scrapes never loads it; until then
 * the webhook answers are counted in a map. prom-client's GC and event-loop figures start at
 * that first scrape; its CPU, memory and start-time figures cover the whole process.
 */
export interface ServerMetrics {
  /** counts one answer of `POST /webhooks/github` */
  webhookAnswered(status: number): void;
  /** the Prometheus text exposition, read when asked */
  scrape(): Promise<{ contentType: string; text: string }>;
  close(): Promise<void>;
}

const STORED: readonly { name: string; help: string; type: 'counter' | 'histogram' }[] = [
  { name: BUILDS_TOTAL, help: 'Builds that reached an outcome, by service and outcome (passed, failed, error, ...)', type: 'counter' },
  { name: DEPLOYS_TOTAL, help: 'Deploys that reached an outcome, by service, environment and outcome', type: 'counter' },
  { name: STAGE_SECONDS, help: 'How long build stages took, by stage and outcome', type: 'histogram' },
  { name: ROLLOUT_SECONDS, help: 'How long rollouts took (deploy start to outcome), by scheduler and outcome', type: 'histogram' },
];

export function createServerMetrics(deps: { redis: Redis; queuePrefix: string; counts: OutcomeCounts }): ServerMetrics {
  const answers = new Map<string, number>();
  const queues: Queue[] = [];
  const registry = lazyLoad<Registry>(() => import('prom-client').then((prom) => createRegistry(prom, deps, answers, queues)));
  return {
    webhookAnswered: (status) => void answers.set(String(status), (answers.get(String(status)) ?? 0) + 1),
    async scrape() {
      const r = await registry.get();
      return { contentType: r.contentType, text: await r.metrics() };
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}

function createRegistry(
  prom: typeof import('prom-client'),
  deps: { redis: Redis; queuePrefix: string; counts: OutcomeCounts },
  answers: ReadonlyMap<string, number>,
  queues: Queue[],
): Registry {
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  new prom.Counter({
    name: 'slipway_webhook_responses_total',
    help: 'Answers to POST /webhooks/github, by HTTP status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, n] of answers) this.inc({ status }, n);
    },
  });
  queues.push(...[BUILD_QUEUE, DEPLOY_QUEUE, PREVIEW_QUEUE].map((name) => new Queue(name, { connection: deps.redis, prefix: deps.queuePrefix })));
  new prom.Gauge({
    name: 'slipway_queue_jobs',
    help: 'Jobs in each queue by state (waiting, active, delayed), read from BullMQ when scraped',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'prioritized', 'active', 'delayed')));
      this.reset();
      queues.forEach((q, i) => {
        const c = counts[i]!;
        this.set({ queue: q.name, state: 'waiting' }, (c.waiting ?? 0) + (c.prioritized ?? 0));
        this.set({ queue: q.name, state: 'active' }, c.active ?? 0);
        this.set({ queue: q.name, state: 'delayed' }, c.delayed ?? 0);
      });
    },
  });
  // One read of the hash per scrape, shared by the four metrics it feeds.
  let read: Promise<[CountField, number][]> | undefined;
  const fields = () => (read ??= deps.counts.read().finally(() => setImmediate(() => (read = undefined))));
  for (const m of STORED) registry.registerMetric(storedMetric(m, fields) as unknown as Metric);
  return registry;
}

interface Sample {
  readonly value: number;
  readonly labels: Labels;
  readonly metricName?: string;
}

/** A metric whose samples are the stored fields (what prom-client's registry asks of a metric: name, help, type, get()). */
function storedMetric(m: (typeof STORED)[number], fields: () => Promise<[CountField, number][]>) {
  return {
    name: m.name,
    help: m.help,
    type: m.type,
    aggregator: 'sum',
    reset() {},
    async get() {
      const mine = (await fields()).filter(([f]) => f.name === m.name);
      return { name: m.name, help: m.help, type: m.type, aggregator: 'sum', values: m.type === 'counter' ? counterSamples(mine) : histogramSamples(m.name, mine) };
    },
  };
}

function counterSamples(fields: [CountField, number][]): Sample[] {
  return fields.filter(([f]) => f.part === 'value').map(([f, value]) => ({ value, labels: f.labels }));
}

/** Stored buckets are cumulative already (each observation counted in every bound at or above it); an absent bound had none. */
function histogramSamples(name: string, fields: [CountField, number][]): Sample[] {
  const series = new Map<string, { labels: Labels; sum: number; count: number; buckets: Map<number, number> }>();
  for (const [f, value] of fields) {
    const key = JSON.stringify(f.labels);
    const s = series.get(key) ?? { labels: f.labels, sum: 0, count: 0, buckets: new Map<number, number>() };
    series.set(key, s);
    if (f.part === 'sum') s.sum = value;
    else if (f.part === 'count') s.count = value;
    else if (f.part.startsWith('le:')) s.buckets.set(Number(f.part.slice(3)), value);
  }
  const out: Sample[] = [];
  for (const s of series.values()) {
    for (const le of BOUNDS) out.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: String(le) }, value: s.buckets.get(le) ?? 0 });
    out.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
    out.push({ metricName: `${name}_sum`, labels: s.labels, value: s.sum });
    out.push({ metricName: `${name}_count`, labels: s.labels, value: s.count });
  }
  return out;
}
