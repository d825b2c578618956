/** Slipway's runtime configuration, validated once at start and frozen. */
export interface Config {
  readonly port: number;
  /** interface the HTTP server listens on */
  readonly host: string;
  /** namespace of every Redis key Slipway writes, queues included */
  readonly redisPrefix: string;
  readonly redisUrl: string;
  /** REDIS_SENTINELS and REDIS_SENTINEL_NAME: the primary is asked of these sentinels (REDIS_URL then gives only password, username, db, TLS) */
  readonly redisSentinel?: { readonly sentinels: readonly SentinelAddress[]; readonly name: string };
  readonly dockerHost?: string;
  readonly github: {
    readonly webhookSecret: string;
    readonly token?: string;
    readonly apiUrl: string;
    /** GITHUB_APP_ID and its private key (PEM text, from GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE): run as a GitHub App */
    readonly app?: { readonly appId: string; readonly privateKey: string };
  };
  readonly slackWebhookUrl?: string;
  readonly registry: {
    /** host[:port][/namespace] */
    readonly address: string;
    /** `ecr`: credentials from ECR's authorization token, refreshed before it expires */
    readonly auth: 'ecr' | 'basic' | 'none';
    readonly username?: string;
    readonly password?: string;
  };
  readonly pipelinesDir: string;
  readonly publicUrl: string;
  /** SLIPWAY_API_TOKEN: when set, every `/api/*` route needs `Authorization: Bearer <token>` */
  readonly apiToken?: string;
  /** SLIPWAY_GITHUB_OAUTH_CLIENT_ID, SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET, SLIPWAY_GITHUB_ORG: people sign in with GitHub; only org members get in */
  readonly githubOAuth?: { readonly clientId: string; readonly clientSecret: string; readonly org: string };
  readonly dataDir: string;
  readonly logLevel: string;
  /** how long a rollout may take before it counts as failed */
  readonly deployDeadlineMs: number;
  /** build jobs one worker runs at once */
  readonly buildConcurrency: number;
  /** SLIPWAY_JOB_LEASE: a worker's hold on a job lasts this long unless renewed; a killed worker's job is taken again after it */
  readonly jobLeaseMs: number;
  /** SLIPWAY_RECONCILE_INTERVAL: how often a worker checks that every unfinished build and deploy has a job */
  readonly reconcileIntervalMs: number;
  /** SLIPWAY_BUILD_TIMEOUT: how long one build job (clone → push) may take before it is stopped */
  readonly buildTimeoutMs: number;
  /** build records and logs kept per service (SLIPWAY_KEEP_BUILDS), beside each environment's current and rollback builds */
  readonly keepBuilds: number;
  /** lines kept per build log (SLIPWAY_LOG_MAX_LINES): the first and last halves, a line counting the cut */
  readonly logMaxLines: number;
  /** Nomad's own CLI variables: NOMAD_ADDR, NOMAD_TOKEN, NOMAD_NAMESPACE, NOMAD_REGION */
  readonly nomad: { readonly addr: string; readonly token?: string; readonly namespace: string; readonly region?: string };
  /** fleetctl's FLEETCTL_ENDPOINT: http://host:port or unix:///path */
  readonly fleet: { readonly endpoint: string };
  /** kubectl's KUBECONFIG: kubeconfig file(s), `:`-separated; none: ~/.kube/config, else in-cluster */
  readonly kubernetes: { readonly kubeconfig?: string };
  /** AWS_REGION and the SDK's per-service endpoint overrides; credentials come from the SDK's chain */
  readonly aws: { readonly region?: string; readonly ecsEndpoint?: string; readonly ecrEndpoint?: string };
}

/** One entry of REDIS_SENTINELS. */
export interface SentinelAddress {
  readonly host: string;
  readonly port: number;
}
