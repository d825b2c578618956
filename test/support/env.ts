/** The real services `npm test` (scripts/test.ts) starts for integration tests. */
export interface TestEnv {
  readonly redisUrl: string;
  /** `unix:///…/docker.sock`: a private engine that has `local/busybox` */
  readonly dockerHost: string;
  /** `127.0.0.1:<port>`: a v2 registry without auth */
  readonly registry: string;
  /** `127.0.0.1:<port>`: a v2 registry with htpasswd auth */
  readonly authRegistry: string;
  readonly authUsername: string;
  readonly authPassword: string;
}

const VARIABLES = {
  redisUrl: 'REDIS_URL',
  dockerHost: 'DOCKER_HOST',
  registry: 'SLIPWAY_TEST_REGISTRY',
  authRegistry: 'SLIPWAY_TEST_AUTH_REGISTRY',
  authUsername: 'SLIPWAY_TEST_AUTH_USERNAME',
  authPassword: 'SLIPWAY_TEST_AUTH_PASSWORD',
} as const satisfies Record<keyof TestEnv, string>;

/**
 * The service addresses from the environment. Throws, naming what is missing, when the test was
 * not started through `npm test`, which starts the services and sets these variables.
 */
export function testEnv(env: NodeJS.ProcessEnv = process.env): TestEnv {
  const missing = Object.values(VARIABLES).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not set: integration tests need the local services that \`npm test\` starts. ` +
        'Run them with `npm test -- <test file>` instead of `node --test` directly.',
    );
  }
  return Object.fromEntries(Object.entries(VARIABLES).map(([key, name]) => [key, env[name]])) as unknown as TestEnv;
}
