import type { ECRClient } from '@aws-sdk/client-ecr';
import { SlipwayError } from '../core/errors.ts';
import type { RegistryAuth, RegistryCredentials } from '../core/ports/registry-credentials.ts';
import { ecrError } from './ecr-errors.ts';
import { ecrHost, registryHost } from './registry-host.ts';

export interface EcrCredentialsConfig {
  /** SLIPWAY_REGISTRY: host[:port][/namespace]; its host is the `serveraddress` */
  readonly registry: string;
  /** AWS_REGION; default: the region in an ECR host, else the SDK's own chain */
  readonly region?: string;
  /** AWS_ENDPOINT_URL_ECR */
  readonly endpoint?: string;
  /** fetch a new token this long before `expiresAt`, or at half its lifetime when that is sooner; default 15 min */
  readonly refreshMarginMs?: number;
}

interface Cached {
  readonly auth: RegistryAuth;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

const DOING = 'getting an ECR authorization token';
/** used when ECR does not say when a token expires: far below its real 12 hours */
const ASSUMED_LIFETIME_MS = 60 * 60_000;

/**
 * Registry credentials from ECR's authorization token (GetAuthorizationToken): user `AWS` and a
 * password valid for 12 hours, for SLIPWAY_REGISTRY. AWS credentials come from the SDK's chain.
 * The token is kept until `refreshMarginMs` before it expires; callers that ask meanwhile share
 * one request. When a refresh finds ECR unreachable, the token in hand is used while it is still
 * valid. The password never reaches a log or an error message. The AWS SDK loads at the first
 * request, so a process that never asks (the HTTP server, `slipway doctor` without ECR) never loads it.
 */
export function createEcrCredentials(config: EcrCredentialsConfig): RegistryCredentials {
  let ecr: Promise<{ client: ECRClient; GetAuthorizationTokenCommand: typeof import('@aws-sdk/client-ecr').GetAuthorizationTokenCommand }> | undefined;
  const sdk = () =>
    (ecr ??= import('@aws-sdk/client-ecr').then(({ ECRClient, GetAuthorizationTokenCommand }) => ({
      client: new ECRClient({
        region: config.region ?? ecrHost(config.registry)?.region,
        endpoint: config.endpoint,
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
      }),
      GetAuthorizationTokenCommand,
    })));
  const serveraddress = registryHost(config.registry);
  const marginMs = config.refreshMarginMs ?? 15 * 60_000;
  let cached: Cached | undefined;
  let inFlight: Promise<Cached> | undefined;

  async function fetchToken(): Promise<Cached> {
    const { client, GetAuthorizationTokenCommand } = await sdk();
    await client.config.region().catch((err: unknown) => {
      throw new SlipwayError('REGISTRY_DENIED', `${DOING}: no AWS region; set AWS_REGION`, { cause: err });
    });
    const asked = Date.now();
    const answer = await client.send(new GetAuthorizationTokenCommand({})).catch((err: unknown) => {
      throw ecrError(err, DOING);
    });
    const data = answer.authorizationData?.[0];
    const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new SlipwayError('REGISTRY_UNREACHABLE', `${DOING}: ECR answered without a user:password token`);
    const expiresAt = data?.expiresAt?.getTime() ?? asked + ASSUMED_LIFETIME_MS;
    const lifetime = Math.max(0, expiresAt - asked);
    return {
      auth: Object.freeze({ username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress }),
      refreshAt: expiresAt - Math.min(marginMs, lifetime / 2),
      expiresAt,
    };
  }

  async function refresh(): Promise<RegistryAuth> {
    inFlight ??= fetchToken().finally(() => {
      inFlight = undefined;
    });
    try {
      cached = await inFlight;
      return cached.auth;
    } catch (err) {
      const stillValid = cached !== undefined && Date.now() < cached.expiresAt;
      if (stillValid && err instanceof SlipwayError && err.code === 'REGISTRY_UNREACHABLE') return cached!.auth;
      throw err;
    }
  }

  return {
    credentials() {
      if (cached && Date.now() < cached.refreshAt) return Promise.resolve(cached.auth);
      return refresh();
    },
  };
}
