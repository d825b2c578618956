import { isSlipwayError } from '../core/errors.ts';
import type { GitCredentialSource } from '../git/git-credentials.ts';
import type { GitHubTokens } from './github-tokens.ts';

/**
 * Credentials for clone URLs on the GitHub host: `x-access-token:<token>` (the App's installation
 * token for the repository, else GITHUB_TOKEN), as GitHub documents for smart HTTP. The GitHub
 * host is github.com for api.github.com, else the host and port of `apiUrl` (GitHub Enterprise,
 * and the emulator in tests). Other remotes get no credentials: a token never leaves for them;
 * nor do repositories the App is not installed on.
 */
export function githubCloneCredentials(tokens: GitHubTokens, apiUrl: string): GitCredentialSource | undefined {
  if (tokens.kind === 'none') return undefined;
  const api = new URL(apiUrl);
  const githubHost = api.host === 'api.github.com' ? 'github.com' : api.host;
  return async (cloneUrl, refused) => {
    const repository = repositoryOf(cloneUrl, githubHost);
    if (!repository) return undefined;
    if (refused) tokens.refused(refused.password);
    let token: string | undefined;
    try {
      token = await tokens.forRepository(repository);
    } catch (err) {
      // A repository outside the App's installations (a public fork's head) is fetched as anyone would.
      if (isSlipwayError(err, 'APP_NOT_INSTALLED')) return undefined;
      throw err;
    }
    return token && token !== refused?.password ? { username: 'x-access-token', password: token } : undefined;
  };
}

/** `owner/name` of an http(s) clone URL on `host`, else undefined. */
export function repositoryOf(cloneUrl: string, host: string): string | undefined {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(url.protocol) || url.host.toLowerCase() !== host.toLowerCase() || url.username || url.password) return undefined;
  const [owner, name, ...rest] = url.pathname.split('/').filter(Boolean);
  if (!owner || !name || rest.length > 0) return undefined;
  return `${decodeURIComponent(owner)}/${decodeURIComponent(name).replace(/\.git$/, '')}`;
}
