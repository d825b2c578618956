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
 * The `authconfig` to hand dockerode: the credentials, or `{}` for an anonymous registry
 * (Docker 20.10 answers a push with no `X-Registry-Auth` header at all with a 400).
 */
export function authConfig(auth: RegistryAuth | undefined): { username?: string; password?: string; serveraddress?: string } {
  return auth ? { ...auth } : {};
}
