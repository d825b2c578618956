import type { Octokit } from '@octokit/rest';
import { lazyLoad } from '../core/lazy-load.ts';

/** Octokit logs nothing of its own: the reporters log what failed, without tokens. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * One Octokit for `apiUrl`, made at the first call (and again after a failed one). @octokit/rest (its endpoint table above all)
 * was about 25–45 ms of `slipway server`'s start CPU in a start profile; loading it when the first
 * status or deployment is posted keeps that off the start, and off a process that never posts.
 */
export function lazyOctokit(apiUrl: string): () => Promise<Octokit> {
  const made = lazyLoad(() => import('@octokit/rest').then(({ Octokit }) => new Octokit({ baseUrl: apiUrl, userAgent: 'slipway', log: quiet })));
  return () => made.get();
}
