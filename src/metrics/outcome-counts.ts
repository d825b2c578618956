import type { Redis } from 'ioredis';
import type { Build, DeployRecord } from '../core/build.ts';

/**
 * Where build and deploy outcomes are counted, and why there.
 *
 * The server answers `/metrics`, but builds and deploys settle in worker processes (any number of
 * them, on any host, none with an HTTP server), and the CLI settles some too (cancel, rollback).
 * So outcomes are counted where everything already meets: Redis. Whatever process writes a build
 * or deploy record into a final state adds one to a counter in one hash, `<prefix>:metrics`, and
 * the server reads that hash when scraped. Counting rides on the store's own writes
 * (`withOutcomeCounts`), so no settle point can forget it, and each build and deploy is counted
 * once (a `SET NX` marker per id, kept a day: a record settled twice, say by a retried job and
 * the reconciler, counts once). Durations go into the same hash as histogram buckets with fixed
 * bounds (cumulative, as Prometheus wants them), so the hash stays a few hundred fields however
 * many builds run. Counts are monotonic for Prometheus's `rate()`; they survive a server restart
 * because they live in Redis (AOF).
 */

/** Seconds; a stage or rollout takes from about a second (cached clone) to the build timeout. */
export const DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

export const BUILDS_TOTAL = 'slipway_builds_total';
export const DEPLOYS_TOTAL = 'slipway_deploys_total';
export const STAGE_SECONDS = 'slipway_build_stage_duration_seconds';
export const ROLLOUT_SECONDS = 'slipway_deploy_rollout_duration_seconds';

const SEEN_TTL_S = 24 * 3600;

/** Marks the id counted (once) and only then adds every increment: atomic, so two settlers count once. */
const COUNT_ONCE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  for i = 2, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[2], ARGV[i], ARGV[i + 1]) end
  return 1
end
return 0`;

export type Labels = Readonly<Record<string, string>>;

/** One field of the hash: which metric, which labels, which part (a counter's value, or a histogram's `le`, `sum`, `count`). */
export interface CountField {
  readonly name: string;
  readonly labels: Labels;
  readonly part: 'value' | 'sum' | 'count' | `le:${string}`;
}

const encode = (f: CountField) => JSON.stringify([f.name, sorted(f.labels), f.part]);

function sorted(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function observe(name: string, labels: Labels, seconds: number): [CountField, number][] {
  const out: [CountField, number][] = [[{ name, labels, part: 'count' }, 1], [{ name, labels, part: 'sum' }, seconds]];
  for (const le of DURATION_BUCKETS) if (seconds <= le) out.push([{ name, labels, part: `le:${le}` }, 1]);
  return out;
}

export interface OutcomeCounts {
  /** counts a build that reached an outcome, with its stages' durations; once per build */
  build(build: Build): Promise<void>;
  /** counts a deploy that reached an outcome, with its rollout's duration; once per deploy */
  deploy(service: string, deploy: DeployRecord): Promise<void>;
  /** every field of the hash with its value */
  read(): Promise<[CountField, number][]>;
}

export function createOutcomeCounts(redis: Redis, prefix: string): OutcomeCounts {
  const hash = `${prefix}:metrics`;
  const countOnce = (seen: string, increments: [CountField, number][]) =>
    redis.eval(COUNT_ONCE, 2, `${prefix}:metrics:seen:${seen}`, hash, SEEN_TTL_S, ...increments.flatMap(([f, n]) => [encode(f), String(n)]));
  return {
    async build(build) {
      const increments: [CountField, number][] = [[{ name: BUILDS_TOTAL, labels: { service: build.service, outcome: build.state }, part: 'value' }, 1]];
      for (const stage of build.stages) {
        if (stage.startedAt === undefined || stage.finishedAt === undefined) continue;
        increments.push(...observe(STAGE_SECONDS, { stage: stage.name, outcome: stage.state }, (stage.finishedAt - stage.startedAt) / 1000));
      }
      await countOnce(`build:${build.id}`, increments);
    },
    async deploy(service, deploy) {
      const increments: [CountField, number][] = [[{ name: DEPLOYS_TOTAL, labels: { service, environment: deploy.environment, outcome: deploy.state }, part: 'value' }, 1]];
      if (deploy.startedAt !== undefined && deploy.finishedAt !== undefined) {
        increments.push(...observe(ROLLOUT_SECONDS, { scheduler: deploy.scheduler, outcome: deploy.state }, (deploy.finishedAt - deploy.startedAt) / 1000));
      }
      await countOnce(`deploy:${deploy.id}`, increments);
    },
    async read() {
      const all = await redis.hgetall(hash);
      const out: [CountField, number][] = [];
      for (const [key, value] of Object.entries(all)) {
        try {
          const [name, labels, part] = JSON.parse(key) as [string, Labels, CountField['part']];
          out.push([{ name, labels, part }, Number(value)]);
        } catch {
          // a field this version does not know: leave it
        }
      }
      return out;
    },
  };
}
