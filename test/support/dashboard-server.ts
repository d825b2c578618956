import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import type { BuildStore } from '../../src/core/ports/build-store.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { startGitHubOAuthEmulator, type GitHubOAuthEmulator } from '../emulators/github-oauth.ts';
import type { TestBrowser } from './browser.ts';
import { testEnv } from './env.ts';
import { freePort } from './free-port.ts';
import { seeder, type Seeder } from './seed-builds.ts';
import { makeTempDir, removeTempDir } from './temp-dir.ts';

/** A Slipway server (no worker) with GitHub sign-in against the OAuth emulator, its own Redis prefix, and ways to write its data. */
export interface DashboardServer {
  readonly url: string;
  /** the OAuth emulator; it also stands for GitHub's web pages (commit links point at it) */
  readonly github: GitHubOAuthEmulator;
  /** builds, deploys, releases and held deploys, written as the jobs write them */
  readonly seed: Seeder;
  /** the same store the server reads: update records and write log lines as a worker would */
  readonly store: BuildStore;
  /** a page of `browser` signed in as `login` (a member of acme), after the real sign-in flow, on `path` */
  signedInPage(browser: TestBrowser, path: string, options?: { login?: string; phone?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/** GitHub sign-in for members of acme, and an API token (so the API is never open). */
const SIGN_IN = {
  SLIPWAY_GITHUB_OAUTH_CLIENT_ID: 'Iv1.dashboard',
  SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET: 'dashboard-oauth-secret-0123456789',
  SLIPWAY_GITHUB_ORG: 'acme',
  SLIPWAY_API_TOKEN: 'dashboard-api-token-0123456789',
} as const;

/**
 * Starts the HTTP role of Slipway as `npm start` would (sign-in on, API token set) with one
 * pipeline file per entry of `pipelines` (file name → YAML; default: services web and api).
 * Sign-in members of `acme`: ada and grace.
 */
export async function startDashboardServer(pipelines: Record<string, string> = { 'web.yml': 'service: web\nrepository: acme/web\n', 'api.yml': 'service: api\nrepository: acme/api\n' }): Promise<DashboardServer> {
  const github = await startGitHubOAuthEmulator({ clientId: SIGN_IN.SLIPWAY_GITHUB_OAUTH_CLIENT_ID, clientSecret: SIGN_IN.SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET, members: { acme: ['ada', 'grace'] }, signedInAs: 'ada' });
  const dir = makeTempDir('slipway-dashboard-');
  for (const [file, yaml] of Object.entries(pipelines)) writeFileSync(join(dir, file), yaml);
  const port = await freePort();
  const prefix = `dashboard-${randomUUID()}`;
  const config = loadConfig({
    ...SIGN_IN,
    GITHUB_API_URL: github.url,
    PORT: String(port),
    SLIPWAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    REDIS_URL: testEnv().redisUrl,
    SLIPWAY_REDIS_PREFIX: prefix,
    SLIPWAY_PIPELINES_DIR: dir,
    SLIPWAY_REGISTRY: '127.0.0.1:5000',
    GITHUB_WEBHOOK_SECRET: 'webhook-secret',
  });
  const running = (await startSlipway(config, ['server'], pino({ level: 'silent' }))) as Running & { url: string };
  const redis = new Redis(testEnv().redisUrl);
  const seed = seeder(testEnv().redisUrl, prefix);
  return {
    url: running.url,
    github,
    seed,
    store: createRedisBuildStore(redis, prefix),
    async signedInPage(browser, path, options = {}) {
      const page = await browser.newPage({ phone: options.phone });
      github.signedInAs = options.login ?? 'ada';
      await page.goto(`${running.url}/auth/github/login?next=${encodeURIComponent(path)}`);
      await page.waitForURL(`${running.url}${path}`);
      return page;
    },
    async close() {
      await running.close();
      await seed.close();
      await redis.quit();
      await github.close();
      removeTempDir(dir);
    },
  };
}
