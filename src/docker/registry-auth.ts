import type { RegistryAuth } from '../core/ports/registry-credentials.ts';

export type { RegistryAuth };

/**
 * The `authconfig` to hand dockerode: the credentials, or `{}` for an anonymous registry
 * (Docker 20.10 answers a push with no `X-Registry-Auth` header at all with a 400).
 */
export function authConfig(auth: RegistryAuth | undefined): { username?: string; password?: string; serveraddress?: string } {
  return auth ? { ...auth } : {};
}
