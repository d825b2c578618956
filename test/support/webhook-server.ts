/**
 * A `slipway server` alone on the test Redis, for the webhook tests: one pipeline (`web`) for the
 * given repository, a prefix of its own, silent logs.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { freePort } from './free-port.ts';
import { makeTempDir } from './temp-dir.ts';

export const SECRET = 'webhook-secret';
export const SHA = 'b'.repeat(40);

function pipelinesDir(repository: string): string {
  const dir = makeTempDir('slipway-pipelines-');
  writeFileSync(join(dir, 'web.yml'), `service: web\nrepository: ${repository}\n`);
  return dir;
}

/** Call `removeTempDirs` in the test file's `after` once its servers are closed. */
export async function serverOnly(redisUrl: string, repository: string): Promise<Running & { url: string }> {
  const config = loadConfig({
    PORT: String(await freePort()),
    REDIS_URL: redisUrl,
    GITHUB_WEBHOOK_SECRET: SECRET,
    SLIPWAY_REGISTRY: '127.0.0.1:5000',
    SLIPWAY_PIPELINES_DIR: pipelinesDir(repository),
    SLIPWAY_REDIS_PREFIX: `http-${randomUUID()}`,
  });
  return (await startSlipway(config, ['server'], pino({ level: 'silent' }))) as Running & { url: string };
}

export async function builds(url: string): Promise<unknown[]> {
  return ((await (await fetch(`${url}/api/builds`)).json()) as { builds: unknown[] }).builds;
}

/** Waits (bounded) until the server reports Redis up, so the first count of builds is a real one. */
export async function redisReady(url: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    if ((await fetch(`${url}/healthz`)).status === 200) return;
  }
  throw new Error('Redis did not come up within 10 s');
}
