import type { KeyObject } from 'node:crypto';
import { SlipwayError } from '../core/errors.ts';
import { signAppJwt } from './app-jwt.ts';

/** A token this close to its expiry is replaced before use: a clone or a retried status may take minutes. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Where Slipway's GitHub tokens come from: a GitHub App's installation tokens (minted, cached per
 * installation in memory only, replaced before they expire and when GitHub refuses one), else the
 * fixed `GITHUB_TOKEN`, else none. Tokens are never logged and never leave the process except in
 * requests to GitHub.
 */
export interface GitHubTokens {
  readonly kind: 'app' | 'token' | 'none';
  /** a token that may act on `repository` (`owner/name`); undefined when none is configured */
  forRepository(repository: string): Promise<string | undefined>;
  /** `repository` belongs to App installation `installationId` (a delivery said so): no need to ask GitHub */
  learn(repository: string, installationId: number): void;
  /** GitHub refused `token` (revoked, expired): it is forgotten, so the next call mints another */
  refused(token: string): void;
}

export interface GitHubAppCredentials {
  readonly appId: string;
  readonly privateKey: KeyObject;
}

export interface GitHubTokensOptions {
  readonly apiUrl: string;
  readonly token?: string;
  readonly app?: GitHubAppCredentials;
  /** the clock (tests move it) */
  readonly now?: () => number;
}

interface Minted {
  readonly token: string;
  readonly expiresAt: number;
}

export function createGitHubTokens(options: GitHubTokensOptions): GitHubTokens {
  const { apiUrl, token, app, now = Date.now } = options;
  if (!app) {
    return { kind: token ? 'token' : 'none', forRepository: async () => token, learn: () => undefined, refused: () => undefined };
  }
  const installations = new Map<string, number>(); // repository (lower case) → installation id
  const minted = new Map<number, Minted>();
  const minting = new Map<number, Promise<Minted>>();

  async function call(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: any }> {
    let res: Response;
    try {
      res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${signAppJwt(app!.appId, app!.privateKey, now())}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'slipway',
        },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new SlipwayError('SOURCE_UNAVAILABLE', `GitHub did not answer ${method} ${path}: ${(err as Error).message}`, { cause: err });
    }
    const body: any = await res.json().catch(() => ({}));
    if (res.status === 401) {
      throw new SlipwayError('CONFIG_INVALID', `GitHub refused the App's JWT on ${method} ${path} (check GITHUB_APP_ID and the private key): ${String(body?.message ?? '')}`);
    }
    return { status: res.status, body };
  }

  async function installationOf(repository: string): Promise<number> {
    const known = installations.get(repository.toLowerCase());
    if (known !== undefined) return known;
    const { status, body } = await call('GET', `/repos/${repository}/installation`);
    if (status === 404) throw new SlipwayError('APP_NOT_INSTALLED', `the GitHub App is not installed on ${repository}: install it there (or on its organization)`);
    if (status !== 200 || typeof body?.id !== 'number') throw new SlipwayError('SOURCE_UNAVAILABLE', `GitHub answered ${status} when asked for the App's installation on ${repository}`);
    installations.set(repository.toLowerCase(), body.id);
    return body.id;
  }

  async function mint(installationId: number): Promise<Minted> {
    const { status, body } = await call('POST', `/app/installations/${installationId}/access_tokens`);
    if (status === 404) throw new SlipwayError('SOURCE_UNAVAILABLE', `GitHub App installation ${installationId} does not exist (uninstalled?)`, { retryable: false });
    if (status !== 201 || typeof body?.token !== 'string') throw new SlipwayError('SOURCE_UNAVAILABLE', `GitHub answered ${status} when asked for an installation token`);
    const expiresAt = Date.parse(String(body.expires_at));
    return { token: body.token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : now() + 60 * 60_000 };
  }

  async function tokenFor(installationId: number): Promise<string> {
    const cached = minted.get(installationId);
    if (cached && cached.expiresAt - now() > REFRESH_BEFORE_MS) return cached.token;
    let pending = minting.get(installationId);
    if (!pending) {
      // One request per installation however many builds ask at once.
      pending = mint(installationId).finally(() => minting.delete(installationId));
      minting.set(installationId, pending);
      pending.then((m) => minted.set(installationId, m), () => undefined);
    }
    return (await pending).token;
  }

  return {
    kind: 'app',
    async forRepository(repository) {
      const installationId = await installationOf(repository);
      try {
        return await tokenFor(installationId);
      } catch (err) {
        // The App may have been uninstalled and installed again: ask for the installation anew next time.
        installations.delete(repository.toLowerCase());
        throw err;
      }
    },
    learn(repository, installationId) {
      installations.set(repository.toLowerCase(), installationId);
    },
    refused(token) {
      for (const [id, m] of minted) if (m.token === token) minted.delete(id);
    },
  };
}
