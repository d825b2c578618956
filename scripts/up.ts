/**
 * `npm run up`: Slipway on this machine with local defaults. Starts (or reuses) Redis on
 * 127.0.0.1:6379, a registry on 127.0.0.1:5000 and a private Docker engine with `local/busybox`,
 * then runs `slipway all` (server + worker, `docker` adapter) with `pipelines/`. Ctrl-C stops
 * Slipway and the services this command started. The settings it used are written to
 * `.slipway/local.env` so `npm run demo` and your shell can use them.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLocalServices } from './local-services.ts';

const repo = resolve(new URL('..', import.meta.url).pathname);
// SLIPWAY_UP_DIR: where the settings and data go (default .slipway); tests give each run its own.
const stateDir = process.env.SLIPWAY_UP_DIR ? resolve(process.env.SLIPWAY_UP_DIR) : join(repo, '.slipway');
const envFile = join(stateDir, 'local.env');

async function main(): Promise<number> {
  mkdirSync(stateDir, { recursive: true });
  // SLIPWAY_LOCAL_ROOT: where the services keep their sockets, logs and data (short: it holds unix
  // sockets); by default one folder in /tmp per state folder, kept between runs.
  const root = process.env.SLIPWAY_LOCAL_ROOT
    ? resolve(process.env.SLIPWAY_LOCAL_ROOT)
    : `/tmp/slipway-local-${createHash('sha256').update(process.env.SLIPWAY_UP_DIR ? stateDir : repo).digest('hex').slice(0, 8)}`;
  console.error(`Starting local services under ${root} (reusing any already running)…`);
  const services = await startLocalServices({
    root,
    redisPort: Number(process.env.SLIPWAY_LOCAL_REDIS_PORT ?? 6379),
    registryPort: Number(process.env.SLIPWAY_LOCAL_REGISTRY_PORT ?? 5000),
    reuse: true,
    durableRedis: true,
    log: (line) => console.error(`  ${line}`),
  });
  const env = {
    REDIS_URL: services.redisUrl,
    DOCKER_HOST: services.dockerHost,
    SLIPWAY_REGISTRY: services.registry,
    GITHUB_WEBHOOK_SECRET: process.env.GITHUB_WEBHOOK_SECRET ?? previousSecret() ?? randomBytes(16).toString('hex'),
    SLIPWAY_DATA_DIR: join(stateDir, 'data'),
    PORT: process.env.PORT ?? '3000',
  };
  writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
  console.error(`Settings written to .slipway/local.env (try: npm run demo)`);

  // MALLOC_ARENA_MAX as the Docker image sets it (see the Dockerfile).
  const child = spawn(process.execPath, [join(repo, 'bin/slipway.mjs'), 'all'], { stdio: 'inherit', env: { MALLOC_ARENA_MAX: '2', ...process.env, ...env } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((done) => child.on('exit', (c, s) => done(c ?? (s ? 128 : 1))));
  console.error('Stopping local services…');
  await services.stop();
  return code;
}

function previousSecret(): string | undefined {
  if (!existsSync(envFile)) return undefined;
  return /^GITHUB_WEBHOOK_SECRET=(.+)$/m.exec(readFileSync(envFile, 'utf8'))?.[1];
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`up: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
