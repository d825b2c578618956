/**
 * GitHub's skip instructions: a commit message that contains one of these (any case, anywhere in
 * the message, not only its first line) asks for no build of that commit.
 * https://docs.github.com/en/actions/managing-workflow-runs/skipping-workflow-runs
 */
export const SKIP_WORDS = ['[skip ci]', '[ci skip]', '[no ci]', '[skip actions]', '[actions skip]'] as const;

/** The skip word `message` contains, as the list spells it; undefined when it has none. Pure. */
export function skipWordIn(message: string | undefined): string | undefined {
  if (!message || !message.includes('[')) return undefined;
  const lower = message.toLowerCase();
  return SKIP_WORDS.find((word) => lower.includes(word));
}

/** The reason a build is skipped for `word`, as the webhook answer and the commit status say it. */
export function skipWordReason(word: string, sha: string): string {
  return `commit ${sha.slice(0, 7)} says ${word} in its message; nothing built`;
}
