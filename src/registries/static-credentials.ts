import type { RegistryAuth, RegistryCredentials } from '../core/ports/registry-credentials.ts';

/** Credentials that never change: basic auth for a plain v2 registry, or `undefined` for none. */
export function createStaticCredentials(auth: RegistryAuth | undefined): RegistryCredentials {
  const answer = auth ? Object.freeze({ ...auth }) : undefined;
  return { credentials: () => Promise.resolve(answer) };
}
