/**
 * Remembers which GitHub deployment stands for which Slipway deploy, so a deploy job that runs
 * again (after a crash) posts on the deployment it created instead of creating a second one, and
 * which deployment last succeeded in a repository's environment (the one a newer success makes
 * inactive).
 */
export interface DeploymentIds {
  /** the GitHub deployment id of Slipway deploy `deploy`, if one was created */
  get(deploy: string): Promise<number | undefined>;
  set(deploy: string, githubId: number): Promise<void>;
  /** records `githubId` as the last success in `repository`'s `environment`; resolves the one it replaces */
  replaceLatest(repository: string, environment: string, githubId: number): Promise<number | undefined>;
  /** the last success in `repository`'s `environment`, if one is remembered */
  latest(repository: string, environment: string): Promise<number | undefined>;
  /** forgets the last success there (the environment is gone, its deployment marked inactive), unless a newer one replaced `githubId` */
  forgetLatest(repository: string, environment: string, githubId: number): Promise<void>;
}
