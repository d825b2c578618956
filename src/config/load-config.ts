import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SlipwayError } from '../core/errors.ts';
import type { Config } from './config.ts';
import { formatIssues } from './format-issues.ts';
import { SentinelList } from './sentinel-list.ts';

const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const EnvSchema = z
  .object({
    PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(65535).default(3000)),
    REDIS_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379')),
    REDIS_SENTINELS: opt(SentinelList),
    REDIS_SENTINEL_NAME: opt(z.string().trim().regex(/^[A-Za-z0-9_.:-]+$/, 'must be the name the sentinels monitor the primary under (`sentinel monitor <name> ...`)')),
    DOCKER_HOST: opt(z.string()),
    GITHUB_WEBHOOK_SECRET: z.preprocess(
      blankToUndefined,
      z.string({ error: 'required: the secret configured on the GitHub webhook' }),
    ),
    GITHUB_TOKEN: opt(z.string()),
    GITHUB_APP_ID: opt(z.string().trim().regex(/^\d+$/, 'must be the App\'s numeric id (the App\'s settings page, "App ID")')),
    GITHUB_APP_PRIVATE_KEY: opt(z.string()),
    GITHUB_APP_PRIVATE_KEY_FILE: opt(z.string()),
    GITHUB_API_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).default('https://api.github.com')),
    SLACK_WEBHOOK_URL: opt(z.url({ protocol: /^https?$/ })),
    SLIPWAY_REGISTRY: z.preprocess(
      blankToUndefined,
      z
        .string({ error: 'required: registry host[:port][/namespace] images are pushed to, e.g. 127.0.0.1:5000' })
        .regex(REGISTRY, 'must be host[:port][/namespace] in lower case, without a scheme, e.g. registry.example.com/team'),
    ),
    SLIPWAY_REGISTRY_AUTH: opt(z.enum(['ecr', 'basic', 'none'])),
    SLIPWAY_REGISTRY_USERNAME: opt(z.string()),
    SLIPWAY_REGISTRY_PASSWORD: opt(z.string()),
    SLIPWAY_PIPELINES_DIR: z.preprocess(blankToUndefined, z.string().default('./pipelines')),
    SLIPWAY_API_TOKEN: opt(z.string().trim().min(16, 'must be at least 16 characters; e.g. openssl rand -hex 32')),
    SLIPWAY_GITHUB_OAUTH_CLIENT_ID: opt(z.string().trim()),
    SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET: opt(z.string().trim()),
    SLIPWAY_GITHUB_ORG: opt(z.string().trim().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub organization login')),
    SLIPWAY_PUBLIC_URL: opt(z.url({ protocol: /^https?$/ })),
    SLIPWAY_DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./.slipway')),
    SLIPWAY_HOST: z.preprocess(blankToUndefined, z.string().default('127.0.0.1')),
    SLIPWAY_REDIS_PREFIX: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z0-9_.:-]+$/).default('slipway')),
    SLIPWAY_DEPLOY_DEADLINE: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).default(120)),
    SLIPWAY_BUILD_CONCURRENCY: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(32).default(1)),
    SLIPWAY_JOB_LEASE: z.preprocess(blankToUndefined, z.coerce.number().min(1).max(3600).default(60)),
    SLIPWAY_RECONCILE_INTERVAL: z.preprocess(blankToUndefined, z.coerce.number().min(1).max(3600).default(30)),
    SLIPWAY_BUILD_TIMEOUT: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(86_400).default(1800)),
    SLIPWAY_KEEP_BUILDS: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).default(500)),
    SLIPWAY_LOG_MAX_LINES: z.preprocess(blankToUndefined, z.coerce.number().int().min(2).default(50_000)),
    NOMAD_ADDR: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4646')),
    NOMAD_TOKEN: opt(z.string()),
    NOMAD_NAMESPACE: z.preprocess(blankToUndefined, z.string().default('default')),
    NOMAD_REGION: opt(z.string()),
    FLEETCTL_ENDPOINT: z.preprocess(
      blankToUndefined,
      z.string().regex(/^(https?:\/\/[^\s]+|unix:\/\/\/[^\s]+)$/, 'must be http://host:port or unix:///path/to/fleet.sock').default('unix:///var/run/fleet.sock'),
    ),
    KUBECONFIG: opt(z.string()),
    AWS_REGION: opt(z.string()),
    AWS_ENDPOINT_URL_ECS: opt(z.url({ protocol: /^https?$/ })),
    AWS_ENDPOINT_URL_ECR: opt(z.url({ protocol: /^https?$/ })),
    LOG_LEVEL: z.preprocess(
      blankToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
  })
  .superRefine((env, ctx) => {
    const oauth = [env.SLIPWAY_GITHUB_OAUTH_CLIENT_ID, env.SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET, env.SLIPWAY_GITHUB_ORG];
    if (oauth.some(Boolean) && !oauth.every(Boolean)) {
      ctx.addIssue({ code: 'custom', path: ['SLIPWAY_GITHUB_OAUTH_CLIENT_ID'], message: 'GitHub sign-in needs all three: SLIPWAY_GITHUB_OAUTH_CLIENT_ID, SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET and SLIPWAY_GITHUB_ORG' });
    }
    const appKeys = [env.GITHUB_APP_PRIVATE_KEY, env.GITHUB_APP_PRIVATE_KEY_FILE].filter(Boolean).length;
    if (env.GITHUB_APP_ID && appKeys !== 1) {
      ctx.addIssue({ code: 'custom', path: ['GITHUB_APP_PRIVATE_KEY'], message: 'a GitHub App needs its private key: GITHUB_APP_PRIVATE_KEY (PEM text) or GITHUB_APP_PRIVATE_KEY_FILE, one of them' });
    } else if (!env.GITHUB_APP_ID && appKeys > 0) {
      ctx.addIssue({ code: 'custom', path: ['GITHUB_APP_ID'], message: 'required with GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE' });
    }
    if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINEL_NAME'], message: 'required with REDIS_SENTINELS: the name the sentinels monitor the primary under (`sentinel monitor <name> ...`)' });
    } else if (!env.REDIS_SENTINELS && env.REDIS_SENTINEL_NAME) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINELS'], message: 'required with REDIS_SENTINEL_NAME: the sentinels to ask for the primary, host:port,host:port' });
    }
    const auth = registryAuthMode(env);
    if (auth === 'basic' && !(env.SLIPWAY_REGISTRY_USERNAME && env.SLIPWAY_REGISTRY_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLIPWAY_REGISTRY_PASSWORD'],
        message: 'basic registry auth needs both SLIPWAY_REGISTRY_USERNAME and SLIPWAY_REGISTRY_PASSWORD',
      });
    }
  });

/** Every environment variable the configuration reads (what `slipway help` must name). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/**
 * Reads the configuration from environment variables (defaults → env → overrides), validates
 * every variable at once and returns a frozen Config. Throws CONFIG_INVALID naming every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<string, string>> = {}): Config {
  const parsed = EnvSchema.safeParse({ ...env, ...overrides });
  if (!parsed.success) {
    throw new SlipwayError('CONFIG_INVALID', `Invalid configuration:\n${formatIssues(parsed.error.issues)}`);
  }
  const e = parsed.data;
  const auth = registryAuthMode(e);
  return deepFreeze({
    port: e.PORT,
    host: e.SLIPWAY_HOST,
    redisPrefix: e.SLIPWAY_REDIS_PREFIX,
    redisUrl: e.REDIS_URL,
    redisSentinel: e.REDIS_SENTINELS && e.REDIS_SENTINEL_NAME ? { sentinels: e.REDIS_SENTINELS, name: e.REDIS_SENTINEL_NAME } : undefined,
    dockerHost: e.DOCKER_HOST,
    github: { webhookSecret: e.GITHUB_WEBHOOK_SECRET, token: e.GITHUB_TOKEN, apiUrl: e.GITHUB_API_URL.replace(/\/+$/, ''), app: githubApp(e) },
    slackWebhookUrl: e.SLACK_WEBHOOK_URL,
    registry: {
      address: e.SLIPWAY_REGISTRY,
      auth,
      username: auth === 'basic' ? e.SLIPWAY_REGISTRY_USERNAME : undefined,
      password: auth === 'basic' ? e.SLIPWAY_REGISTRY_PASSWORD : undefined,
    },
    pipelinesDir: e.SLIPWAY_PIPELINES_DIR,
    apiToken: e.SLIPWAY_API_TOKEN,
    githubOAuth: e.SLIPWAY_GITHUB_OAUTH_CLIENT_ID && e.SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET && e.SLIPWAY_GITHUB_ORG
      ? { clientId: e.SLIPWAY_GITHUB_OAUTH_CLIENT_ID, clientSecret: e.SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET, org: e.SLIPWAY_GITHUB_ORG }
      : undefined,
    publicUrl: (e.SLIPWAY_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir: e.SLIPWAY_DATA_DIR,
    logLevel: e.LOG_LEVEL,
    deployDeadlineMs: e.SLIPWAY_DEPLOY_DEADLINE * 1000,
    nomad: { addr: e.NOMAD_ADDR.replace(/\/+$/, ''), token: e.NOMAD_TOKEN, namespace: e.NOMAD_NAMESPACE, region: e.NOMAD_REGION },
    fleet: { endpoint: e.FLEETCTL_ENDPOINT },
    kubernetes: { kubeconfig: e.KUBECONFIG },
    aws: { region: e.AWS_REGION, ecsEndpoint: e.AWS_ENDPOINT_URL_ECS, ecrEndpoint: e.AWS_ENDPOINT_URL_ECR },
    buildConcurrency: e.SLIPWAY_BUILD_CONCURRENCY,
    jobLeaseMs: e.SLIPWAY_JOB_LEASE * 1000,
    reconcileIntervalMs: e.SLIPWAY_RECONCILE_INTERVAL * 1000,
    buildTimeoutMs: e.SLIPWAY_BUILD_TIMEOUT * 1000,
    keepBuilds: e.SLIPWAY_KEEP_BUILDS,
    logMaxLines: e.SLIPWAY_LOG_MAX_LINES,
  });
}

const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(\/|$)/;

/** `ecr` for ECR registries, `basic` when a username is set, else `none`, unless set explicitly. */
function registryAuthMode(env: { SLIPWAY_REGISTRY: string; SLIPWAY_REGISTRY_AUTH?: 'ecr' | 'basic' | 'none'; SLIPWAY_REGISTRY_USERNAME?: string }) {
  if (env.SLIPWAY_REGISTRY_AUTH) return env.SLIPWAY_REGISTRY_AUTH;
  if (ECR_HOST.test(env.SLIPWAY_REGISTRY)) return 'ecr';
  return env.SLIPWAY_REGISTRY_USERNAME ? 'basic' : 'none';
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The App's id and private key's text, read from GITHUB_APP_PRIVATE_KEY_FILE when that names it. */
function githubApp(e: { GITHUB_APP_ID?: string; GITHUB_APP_PRIVATE_KEY?: string; GITHUB_APP_PRIVATE_KEY_FILE?: string }): Config['github']['app'] {
  if (!e.GITHUB_APP_ID) return undefined;
  if (e.GITHUB_APP_PRIVATE_KEY) return { appId: e.GITHUB_APP_ID, privateKey: e.GITHUB_APP_PRIVATE_KEY };
  try {
    return { appId: e.GITHUB_APP_ID, privateKey: readFileSync(e.GITHUB_APP_PRIVATE_KEY_FILE ?? '', 'utf8') };
  } catch (err) {
    throw new SlipwayError('CONFIG_INVALID', `Invalid configuration:\n  GITHUB_APP_PRIVATE_KEY_FILE: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
