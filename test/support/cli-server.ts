import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { testEnv } from './env.ts';
import { freePort } from './free-port.ts';
import { seeder, type Seeder } from './seed-builds.ts';
import { makeTempDir } from './temp-dir.ts';

/** A running server (no worker) for CLI tests, the configuration a direct command uses, and a seeder of its Redis. */
export interface CliServer {
  readonly server: Running & { url: string };
  readonly seed: Seeder;
  /** the variables a command on Redis directly needs (the server's, without its port and token) */
  readonly direct: Record<string, string>;
  /** an empty folder to run the binary in (no .slipway/local.env) */
  readonly cwd: string;
  close(): Promise<void>;
}

/**
 * Starts `slipway server` on real Redis (a prefix of its own) with the API token `token` and one
 * pipeline: service `web` (acme/web) deploying main to staging and, with `approval: required`,
 * to production, with docker on the two ports given.
 */
export async function startCliServer(token: string, ports: { staging: number; production: number }): Promise<CliServer> {
  const cwd = makeTempDir('slipway-cli-cwd-');
  const dir = makeTempDir('slipway-pipelines-');
  writeFileSync(join(dir, 'web.yml'), [
    'service: web',
    'repository: acme/web',
    'deploy:',
    `  - { branch: main, environment: staging, scheduler: docker, docker: { port: ${ports.staging} } }`,
    `  - { branch: main, environment: production, scheduler: docker, approval: required, docker: { port: ${ports.production} } }`,
    '',
  ].join('\n'));
  const prefix = `cli-${randomUUID()}`;
  const direct = { REDIS_URL: testEnv().redisUrl, GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: '127.0.0.1:5000', SLIPWAY_PIPELINES_DIR: dir, SLIPWAY_REDIS_PREFIX: prefix };
  const server = (await startSlipway(loadConfig({ ...direct, PORT: String(await freePort()), SLIPWAY_API_TOKEN: token }), ['server'], pino({ level: 'silent' }))) as Running & { url: string };
  const seed = seeder(testEnv().redisUrl, prefix);
  return {
    server, seed, direct, cwd,
    async close() {
      await seed.close();
      await server.close();
    },
  };
}
