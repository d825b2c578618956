import { compileGlob, type Glob } from './glob.ts';

const compiled = new Map<string, Glob>();

/**
 * Whether `branch` is one a deploy entry's `branch:` names: the name itself, or a glob of names
 * (`release/*` matches release/1.2, not release/1.2/hotfix; `release/**` matches both). Pure;
 * patterns are compiled once (pipelines are loaded once, so the cache stays small).
 */
export function branchMatches(pattern: string, branch: string): boolean {
  let glob = compiled.get(pattern);
  if (!glob) compiled.set(pattern, (glob = compileGlob(pattern)));
  return glob(branch);
}
