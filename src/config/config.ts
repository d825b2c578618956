/** Slipway's runtime configuration, validated once at start and frozen. */
export interface Config {
  readonly port: number;
  /** interface the HTTP server listens on */
  readonly host: string;
  /** namespace of every Redis key Slipway writes, queues included */
  readonly redisPrefix: string;
  readonly redisUrl: string;
  readonly dockerHost?: string;
  readonly github: {
    readonly webhookSecret: string;
    readonly token?: string;
    readonly apiUrl: string;
  };
  readonly slackWebhookUrl?: string;
  readonly registry: {
    /** host[:port][/namespace] */
    readonly address: string;
    readonly auth: 'basic' | 'none';
    readonly username?: string;
    readonly password?: string;
  };
  readonly pipelinesDir: string;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly logLevel: string;
  /** how long a rollout may take before it counts as failed */
  readonly deployDeadlineMs: number;
  /** build jobs one worker runs at once */
  readonly buildConcurrency: number;
}
