/**
 * Credentials the Docker engine passes to a registry (`X-Registry-Auth`). `serveraddress` is
 * the registry host[:port]. Never logged, never put in an error message.
 */
export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  readonly serveraddress: string;
}

/**
 * Where the credentials for SLIPWAY_REGISTRY come from: fixed ones (basic auth, or none) or a
 * short-lived token (ECR). `undefined` means an anonymous registry.
 *
 * Ask before every push or pull and use the answer right away; do not keep it. Cheap while a
 * cached answer is good; a token is fetched again before it expires, and concurrent callers
 * share one fetch. Throws SlipwayError REGISTRY_DENIED (credentials refused, access denied; no
 * retry) or REGISTRY_UNREACHABLE (the token service cannot be reached or is throttling; retry).
 */
export interface RegistryCredentials {
  credentials(): Promise<RegistryAuth | undefined>;
}
