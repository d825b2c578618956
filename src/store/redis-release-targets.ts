import type { Redis } from 'ioredis';
import type { ReleaseTarget } from '../core/ports/build-store.ts';

/** The keys of the release-target index (`<p>:release-targets`, members `<service>:<environment>`). */
export function releaseTargetKeys(prefix: string) {
  return {
    targets: `${prefix}:release-targets`,
    /** set once releases recorded before the index existed were put in it */
    ready: `${prefix}:release-targets:ready`,
    member: (t: ReleaseTarget) => `${t.service}:${t.environment}`,
  };
}

const SCAN_COUNT = 500;

/**
 * Every (service, environment) with a recorded release, sorted. The store adds each target as it
 * records a release there; the first read on a Redis from before that index finds the older ones
 * once by their `<p>:release:<service>:<environment>` keys (service and environment names hold no
 * colon, so a member splits at its first one).
 */
export async function readReleaseTargets(redis: Redis, prefix: string): Promise<ReleaseTarget[]> {
  const key = releaseTargetKeys(prefix);
  if (!(await redis.exists(key.ready))) await indexExisting(redis, prefix);
  const members = await redis.smembers(key.targets);
  return members
    .map((m) => ({ service: m.slice(0, m.indexOf(':')), environment: m.slice(m.indexOf(':') + 1) }))
    .filter((t) => t.service !== '' && t.environment !== '')
    .sort((a, b) => a.service.localeCompare(b.service) || a.environment.localeCompare(b.environment));
}

async function indexExisting(redis: Redis, prefix: string): Promise<void> {
  const key = releaseTargetKeys(prefix);
  const head = `${prefix}:release:`;
  const pattern = `${head.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    const members = keys.map((k) => k.slice(head.length)).filter((rest) => rest.includes(':'));
    if (members.length > 0) await redis.sadd(key.targets, ...members);
    cursor = next;
  } while (cursor !== '0');
  await redis.set(key.ready, '1');
}
