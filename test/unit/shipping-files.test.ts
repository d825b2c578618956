import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, root), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const slipway = Object.entries(services).filter(([, s]) => s.build);

/** The value after a flag in a command line ("--appendfsync everysec"). */
const flag = (command: string[] | undefined, name: string) => command?.[command.indexOf(name) + 1];

describe('docker-compose.yml (production)', () => {
  it('runs Redis durably: AOF on, fsync every second, never evicting keys', () => {
    const cmd = services.redis?.command;
    assert.equal(flag(cmd, '--appendonly'), 'yes');
    assert.equal(flag(cmd, '--appendfsync'), 'everysec');
    assert.equal(flag(cmd, '--maxmemory-policy'), 'noeviction');
  });

  it('runs a registry, one server and two workers built from the Dockerfile on a NODE_IMAGE argument', () => {
    assert.ok(services.registry?.image?.startsWith('registry:'));
    assert.deepEqual(slipway.map(([, s]) => s.command?.[0]).sort(), ['server', 'worker', 'worker']);
    for (const [name, s] of slipway) {
      assert.equal(s.build?.context, '.', name);
      assert.match(s.build?.args?.NODE_IMAGE ?? '', /^\$\{NODE_IMAGE:-node:20/, name);
    }
  });

  it('gives every service a health check, and starts Slipway only once Redis and the registry are healthy', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.healthcheck?.test?.length && !s.healthcheck.disable, `${name} has a health check`);
    }
    const server = services.server!;
    assert.ok(server.healthcheck!.test!.join(' ').includes('/healthz'));
    for (const [name, s] of slipway) {
      assert.equal(s.depends_on?.redis?.condition, 'service_healthy', name);
      assert.equal(s.depends_on?.registry?.condition, 'service_healthy', name);
    }
  });

  it('takes every secret from the environment, none written in the file', () => {
    const secrets = ['GITHUB_WEBHOOK_SECRET', 'GITHUB_TOKEN', 'GITHUB_APP_PRIVATE_KEY', 'SLIPWAY_API_TOKEN', 'SLACK_WEBHOOK_URL', 'SLIPWAY_REGISTRY_PASSWORD'];
    for (const [name, s] of slipway) {
      for (const key of secrets) assert.match(s.environment?.[key] ?? '', new RegExp(`^\\$\\{${key}(:[-?].*)?\\}$`), `${name} ${key}`);
    }
    assert.match(services.server!.environment!.GITHUB_WEBHOOK_SECRET!, /:\?/, 'the webhook secret is required');
  });

  it('publishes Redis and the registry on loopback only', () => {
    for (const name of ['redis', 'registry']) {
      const ports = (services[name] as { ports?: string[] }).ports ?? [];
      assert.ok(ports.length > 0 && ports.every((p) => p.startsWith('127.0.0.1:')), `${name}: ${ports}`);
    }
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('takes the base image as the build argument NODE_IMAGE for both stages', () => {
    assert.match(lines[0]!, /^ARG NODE_IMAGE=/);
    const froms = lines.filter((l) => l.startsWith('FROM '));
    assert.deepEqual(froms, ['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE}']);
  });

  it('compiles in the build stage and ships only production dependencies, dist/ and bin/, as a non-root user with git', () => {
    const runtime = text.slice(text.lastIndexOf('FROM ${NODE_IMAGE}'));
    assert.match(text, /RUN npm run build && npm prune --omit=dev/);
    assert.deepEqual(
      runtime.split('\n').filter((l) => l.startsWith('COPY')),
      ['COPY --from=build /app/package.json ./', 'COPY --from=build /app/node_modules node_modules', 'COPY --from=build /app/dist dist', 'COPY bin bin'],
    );
    assert.match(runtime, /^USER 1000:1000$/m);
    assert.match(runtime, /git/);
    assert.match(runtime, /SLIPWAY_RUN=compiled/);
  });

  it('leaves sources, tests and secrets-prone folders out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.git', 'node_modules', 'dist', '.slipway', 'test']) assert.ok(ignored.includes(entry), entry);
  });
});
