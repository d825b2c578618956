import type { Build } from '../core/build.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { GitHubTokens } from './github-tokens.ts';

/**
 * The store, telling `tokens` which App installation each build's repository belongs to as its
 * records pass through (the delivery's `installation.id`, kept on the build's event). The server
 * learns it when it records a delivery, a worker when it reads the build: neither asks GitHub
 * (`GET /repos/{owner}/{repo}/installation`) for a repository a delivery already named.
 */
export function installationsFromBuilds(store: BuildStore, tokens: GitHubTokens): BuildStore {
  const learn = <T extends Build | undefined>(build: T): T => {
    if (build) learnInstallation(tokens, build);
    return build;
  };
  return {
    ...store,
    create: async (...a) => learn(await store.create(...a)),
    get: async (...a) => learn(await store.get(...a)),
  };
}

/** Tells `tokens` the App installation of the build's repository, when its delivery named one (the webhook's records are written by the delivery ledger, not the store). */
export function learnInstallation(tokens: GitHubTokens, build: Build): void {
  if (build.event.installationId !== undefined) tokens.learn(build.event.repository, build.event.installationId);
}
