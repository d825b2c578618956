import { compileGlob, type Glob } from './glob.ts';

/**
 * A pipeline's `paths`: the files whose change makes a push worth building (monorepos). Pure.
 * Patterns are globs (glob.ts): `services/hello/**` is every file under services/hello.
 */

const compiled = new WeakMap<readonly string[], readonly Glob[]>();

/** Whether any of `files` (paths from the repository's root) matches one of `patterns`. */
export function touchesPaths(patterns: readonly string[], files: Iterable<string>): boolean {
  let globs = compiled.get(patterns);
  if (!globs) compiled.set(patterns, (globs = patterns.map(compileGlob)));
  for (const file of files) if (globs.some((glob) => glob(file))) return true;
  return false;
}

/** Why a build of a commit that changes none of `patterns` is skipped: the webhook's answer and the build's status. */
export function pathsSkipReason(patterns: readonly string[], since: string): string {
  const shown = patterns.length > 3 ? `${patterns.slice(0, 3).join(', ')}, …` : patterns.join(', ');
  return `Skipped: no file in paths (${shown}) changed since ${since}`;
}

/** Why a `paths` pattern cannot be used, or undefined when it can. */
export function pathPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'is empty';
  if (pattern.startsWith('/') || pattern.startsWith('./')) return 'must be relative to the repository root, without a leading / or ./';
  if (pattern.split('/').includes('..')) return 'must stay inside the repository (no ..)';
  if (pattern.startsWith('!')) return 'cannot negate ("!"): list the paths that matter instead';
  if (/[\0\n]/.test(pattern)) return 'has a control character';
  return undefined;
}
