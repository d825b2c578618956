import { isFullSha, isValidBranchName } from '../core/refs.ts';
import type { Normalized, SourceEvent } from '../core/source-event.ts';

const ZERO_SHA = /^0{40}$/;
const BUILT_PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

/* The few payload fields Slipway reads. Everything is optional: payloads are untrusted input. */
interface Repo { full_name?: string; clone_url?: string }
interface PushPayload {
  ref?: string; after?: string; deleted?: boolean; repository?: Repo;
  head_commit?: { message?: string; author?: { name?: string; username?: string } } | null;
  pusher?: { name?: string };
}
interface PullRequestPayload {
  action?: string; number?: number; repository?: Repo; sender?: { login?: string };
  pull_request?: {
    title?: string; user?: { login?: string };
    head?: { ref?: string; sha?: string; repo?: Repo | null };
    base?: { ref?: string; repo?: Repo | null };
  };
}

/**
 * Turns a GitHub delivery (event name + parsed JSON) into a build request, a ping, or a skip
 * with a reason a person can read. Pure; never throws on odd payloads.
 */
export function normalize(eventName: string, deliveryId: string, payload: unknown): Normalized {
  if (payload === null || typeof payload !== 'object') return skip('the payload is not a JSON object');
  switch (eventName) {
    case 'ping':
      return { action: 'ping' };
    case 'push':
      return normalizePush(deliveryId, payload as PushPayload);
    case 'pull_request':
      return normalizePullRequest(deliveryId, payload as PullRequestPayload);
    default:
      return skip(`event "${eventName}" is not one Slipway builds (push, pull_request)`);
  }
}

function normalizePush(deliveryId: string, p: PushPayload): Normalized {
  const ref = p.ref ?? '';
  if (p.deleted === true || ZERO_SHA.test(p.after ?? '')) return skip(`${ref} was deleted; nothing to build`);
  if (ref.startsWith('refs/tags/')) return skip(`tag push ${ref} is not built; push a branch`);
  if (!ref.startsWith('refs/heads/')) return skip(`ref ${ref || '(none)'} is not a branch`);
  const branch = ref.slice('refs/heads/'.length);
  if (!isValidBranchName(branch)) return skip(`branch name ${JSON.stringify(branch)} is not a valid git branch name`);
  if (!isFullSha(p.after)) return skip('push has no valid "after" commit sha');
  const repo = repository(p.repository);
  if (!repo) return skip('payload has no repository full_name and clone_url');
  const event: SourceEvent = {
    kind: 'push',
    deliveryId,
    repository: repo.fullName,
    cloneUrl: repo.cloneUrl,
    sha: p.after,
    branch,
    message: firstLine(p.head_commit?.message),
    author: p.head_commit?.author?.username ?? p.head_commit?.author?.name ?? p.pusher?.name,
  };
  return { action: 'build', event };
}

function normalizePullRequest(deliveryId: string, p: PullRequestPayload): Normalized {
  const action = p.action ?? '';
  if (!BUILT_PR_ACTIONS.has(action)) return skip(`pull_request action "${action}" is not built (opened, synchronize, reopened are)`);
  const pr = p.pull_request;
  const repo = repository(p.repository);
  if (!pr || !repo) return skip('payload has no pull_request or repository');
  const sha = pr.head?.sha;
  if (!isFullSha(sha)) return skip('pull request has no valid head sha');
  const branch = pr.head?.ref ?? '';
  if (!isValidBranchName(branch)) return skip(`branch name ${JSON.stringify(branch)} is not a valid git branch name`);
  const head = repository(pr.head?.repo ?? undefined);
  // A deleted fork has head.repo null: treat it as a fork, the untrusted case.
  const fork = !head || head.fullName.toLowerCase() !== (pr.base?.repo?.full_name ?? repo.fullName).toLowerCase();
  const event: SourceEvent = {
    kind: 'pull_request',
    deliveryId,
    repository: repo.fullName,
    cloneUrl: head?.cloneUrl ?? repo.cloneUrl,
    sha,
    branch,
    message: firstLine(pr.title),
    author: pr.user?.login ?? p.sender?.login,
    pullRequest: { number: Number(p.number ?? 0), baseBranch: pr.base?.ref ?? '', fork },
  };
  return { action: 'build', event };
}

function repository(r: Repo | undefined): { fullName: string; cloneUrl: string } | undefined {
  if (!r || typeof r.full_name !== 'string' || typeof r.clone_url !== 'string') return undefined;
  return { fullName: r.full_name, cloneUrl: r.clone_url };
}

function firstLine(text: string | undefined): string | undefined {
  return text?.split('\n', 1)[0]?.trim() || undefined;
}

function skip(reason: string): Normalized {
  return { action: 'skip', reason };
}
