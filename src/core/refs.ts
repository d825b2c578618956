/** Checks for strings from webhooks before they reach git, Docker or a URL. Pure. */

const SHA = /^[0-9a-f]{40}$/;

export function isFullSha(value: unknown): value is string {
  return typeof value === 'string' && SHA.test(value);
}

/**
 * A branch name git accepts (git-check-ref-format rules, simplified to be stricter) and that
 * cannot be mistaken for a command-line option.
 */
export function isValidBranchName(name: unknown): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) return false;
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.endsWith('.lock')) return false;
  if (name === '@' || /\.\.|@\{|\/\/|\/\.|[\x00-\x20~^:?*[\\\x7f]/.test(name)) return false;
  return !name.split('/').some((part) => part.startsWith('.'));
}

/**
 * A clone URL git may fetch: https, http, ssh, git or file URLs, or scp-like `user@host:path`.
 * Nothing that starts with `-` (it would be read as an option) and no whitespace or `ext::`.
 */
export function isAcceptableCloneUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 2048) return false;
  return (
    /^(https?|git|ssh):\/\/[^\s@/-][^\s]*$/.test(url) || // the host (or user) never starts with - or @
    /^file:\/\/\/[^\s]+$/.test(url) ||
    /^[\w.][\w.-]*@[\w.][\w.-]*:[^\s-][^\s]*$/.test(url)
  );
}
