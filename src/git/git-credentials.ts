/** A username and password for a remote, sent as HTTP basic auth. */
export interface GitCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Credentials for fetching from `cloneUrl`, or undefined to fetch without. `refused` is set when
 * the remote refused the ones given last: the source then hands out others (a new token) or none.
 */
export type GitCredentialSource = (cloneUrl: string, refused?: GitCredentials) => Promise<GitCredentials | undefined>;

/**
 * The environment that makes one git command send `credentials` to `cloneUrl`'s origin only
 * (`http.<origin>/.extraHeader` through GIT_CONFIG_COUNT): nothing is written to any git config
 * or file, and nothing is on git's command line (which `ps` shows).
 */
export function credentialEnv(cloneUrl: string, credentials: GitCredentials | undefined): Record<string, string> {
  if (!credentials) return {};
  const { origin } = new URL(cloneUrl);
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/** Whether git's error says the remote refused (or asked for) credentials. */
export function isAuthRefusal(stderr: string): boolean {
  return /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP 401|returned error: 401/i.test(stderr);
}
