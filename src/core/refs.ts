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
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  if (name === '@' || /\.\.|@\{|\/\/|\/\.|[\x00-\x20~^:?*[\\\x7f]/.test(name)) return false;
  // git refuses any component (not only the last) that starts with "." or ends with ".lock"
  return !name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'));
}

/** `[user@]host[:port]` where neither user nor host can be read as an option by ssh or git. */
const AUTHORITY = String.raw`(?:[\w.~%+][\w.~%+!$&'()*,;=:-]*@)?(?:[A-Za-z0-9_][\w.~-]*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?`;
const NETWORK_URL = new RegExp(String.raw`^(?:https?|git|ssh)://${AUTHORITY}(?:/[^\s]*)?$`);
/** a repository on disk is named like a bare remote (`….git`): not `file:///etc` or `file:///` */
const FILE_URL = /^file:\/\/\/[^\s]*\.git\/?$/;
const SCP_LIKE = /^[\w.][\w.-]*@[\w.][\w.-]*:[^\s-][^\s]*$/;

/**
 * A clone URL git may fetch: https, http, ssh or git URLs, `file:///…/name.git`, or scp-like
 * `user@host:path`. Nothing that git or ssh could read as an option (a leading `-` in the URL,
 * its user or host, or an scp-like path), no transport helpers such as `ext::`, no control characters or
 * whitespace, and no `.` or `..` path segments.
 */
export function isAcceptableCloneUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 2048) return false;
  if (/[\x00-\x1f\x7f]/.test(url)) return false;
  if (url.split(/[/:]/).some((segment) => segment === '.' || segment === '..')) return false;
  return NETWORK_URL.test(url) || FILE_URL.test(url) || SCP_LIKE.test(url);
}
