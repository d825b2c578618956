/** What asking to stop a build came to. */
export type CancelClaim =
  /** recorded now: the worker running the build (or the one that picks it up) stops it */
  | { readonly kind: 'requested' }
  /** someone asked before: that request (and its reason) stands */
  | { readonly kind: 'already'; readonly reason: string }
  /** the build job is writing its outcome: too late to stop it */
  | { readonly kind: 'sealed' };

/**
 * Requests to stop builds, shared by every process (server, CLI, workers on other hosts). The
 * outcome of a build is decided once: a request and the build job's `seal` race for the same
 * record, and whichever comes first wins for good, so a build is either cancelled (never
 * deployed) or finished as its stages said, never both. Every method may be called twice.
 */
export interface CancelRequests {
  /** asks for build `id` to be stopped with `reason` (its status description) and tells the workers */
  request(id: string, reason: string): Promise<CancelClaim>;
  /** the reason of the request to stop build `id`, if one was made (undefined once sealed or never asked) */
  pending(id: string): Promise<string | undefined>;
  /**
   * The build job calls this as it writes its outcome: from then on no request applies. Returns
   * the reason of a request that came first (the build must then end `cancelled`), else undefined.
   */
  seal(id: string): Promise<string | undefined>;
}
