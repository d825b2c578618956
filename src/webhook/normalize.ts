import type { z } from 'zod';
import { isAcceptableCloneUrl, isFullSha, isValidBranchName } from '../core/refs.ts';
import { skipWordIn, skipWordReason } from '../core/skip-words.ts';
import type { Normalized, SourceEvent } from '../core/source-event.ts';
import { PullRequestDelivery, PushFields, readFields } from './payload-schema.ts';

const ZERO_SHA = /^0{40}$/;
const BUILT_PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);
/** free text from a payload is stored on every build record and listed by the API: keep it small */
const MAX_MESSAGE = 1000;
const MAX_AUTHOR = 200;
/** what a reason may echo of a sender's string */
const MAX_ECHO = 100;
const CLONE_URL_RULE = 'is not a clone URL git may safely fetch (https://, ssh://, git://, file:///….git or user@host:path)';

/**
 * Turns a GitHub delivery (event name + parsed JSON) into a build request, a ping, or a skip
 * with a reason a person can read. Pure; never throws on odd payloads.
 *
 * A payload whose fields have types GitHub never sends, or hostile refs or clone URLs, is a skip
 * whose reason names the field: the receiver answers it 202 with that reason. It is not a 400
 * because the verdict has no "reject" arm (a body that is not JSON at all is the receiver's 400),
 * and because a 202 tells the truth to the only party that can send a correctly signed body:
 * the delivery arrived, was read, and nothing was queued; redelivering it would change nothing.
 */
export function normalize(eventName: string, deliveryId: string, payload: unknown): Normalized {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return skip('the payload is not a JSON object');
  switch (eventName) {
    case 'ping':
      return { action: 'ping' };
    case 'push': {
      const read = readFields(PushFields, payload);
      return read.ok ? normalizePush(deliveryId, read.fields) : skip(read.reason);
    }
    case 'pull_request': {
      const read = readFields(PullRequestDelivery, payload);
      return read.ok ? normalizePullRequest(deliveryId, read.fields) : skip(read.reason);
    }
    default:
      return skip(`event ${quote(eventName)} is not one Slipway builds (push, pull_request)`);
  }
}

function normalizePush(deliveryId: string, p: z.output<typeof PushFields>): Normalized {
  const { ref } = p;
  if (p.deleted === true || ZERO_SHA.test(p.after)) return skip(`${quote(ref, false)} was deleted; nothing to build`);
  if (ref.startsWith('refs/tags/')) return skip(`tag push ${quote(ref, false)} is not built; push a branch`);
  if (!ref.startsWith('refs/heads/')) return skip(`ref ${ref ? quote(ref, false) : '(none)'} is not a branch`);
  const branch = ref.slice('refs/heads/'.length);
  if (!isValidBranchName(branch)) return skip(`branch name ${quote(branch)} is not a valid git branch name`);
  if (!isFullSha(p.after)) return skip('push has no valid "after" commit sha');
  if (!isAcceptableCloneUrl(p.repository.clone_url)) return skip(`payload field repository.clone_url ${CLONE_URL_RULE}`);
  // The whole message, not only its first line, as GitHub reads it.
  const skipWord = skipWordIn(p.head_commit?.message);
  if (skipWord) return skip(skipWordReason(skipWord, p.after));
  const author = p.head_commit?.author;
  const defaultBranch = p.repository.default_branch;
  const event: SourceEvent = {
    kind: 'push',
    deliveryId,
    repository: p.repository.full_name,
    cloneUrl: p.repository.clone_url,
    sha: p.after,
    branch,
    message: firstLine(p.head_commit?.message),
    author: cut(author?.username ?? author?.name ?? p.pusher?.name, MAX_AUTHOR),
    ...installation(p.installation),
    ...(isFullSha(p.before) && !ZERO_SHA.test(p.before) ? { before: p.before } : {}),
    ...(isValidBranchName(defaultBranch) ? { defaultBranch } : {}),
  };
  return { action: 'build', event };
}

function normalizePullRequest(deliveryId: string, p: z.output<typeof PullRequestDelivery>): Normalized {
  const { head, base } = p.pull_request;
  // A deleted fork has head.repo null: treat it as a fork, the untrusted case.
  const fork = !head.repo || head.repo.full_name.toLowerCase() !== (base.repo?.full_name ?? p.repository.full_name).toLowerCase();
  if (p.action === 'closed') {
    if (fork) return skip(`pull request #${p.number} comes from a fork, which never gets a preview; nothing to remove`);
    const closedAt = endOfSecond(p.pull_request.closed_at);
    return { action: 'close', closed: { deliveryId, repository: p.repository.full_name, number: p.number, ...(closedAt === undefined ? {} : { closedAt }) } };
  }
  if (!BUILT_PR_ACTIONS.has(p.action)) return skip(`pull_request action ${quote(p.action)} is not built (opened, synchronize, reopened are; closed removes a preview)`);
  if (!isFullSha(head.sha)) return skip('pull request has no valid head sha');
  if (!isValidBranchName(head.ref)) return skip(`branch name ${quote(head.ref)} is not a valid git branch name`);
  if (!isValidBranchName(base.ref)) return skip(`base branch name ${quote(base.ref)} is not a valid git branch name`);
  if (!isAcceptableCloneUrl(p.repository.clone_url)) return skip(`payload field repository.clone_url ${CLONE_URL_RULE}`);
  if (head.repo && !isAcceptableCloneUrl(head.repo.clone_url)) return skip(`payload field pull_request.head.repo.clone_url ${CLONE_URL_RULE}`);
  const event: SourceEvent = {
    kind: 'pull_request',
    deliveryId,
    repository: p.repository.full_name,
    cloneUrl: head.repo?.clone_url ?? p.repository.clone_url,
    sha: head.sha,
    branch: head.ref,
    message: firstLine(p.pull_request.title),
    author: cut(p.pull_request.user?.login ?? p.sender?.login, MAX_AUTHOR),
    pullRequest: { number: p.number, baseBranch: base.ref, fork },
    ...installation(p.installation),
  };
  return { action: 'build', event };
}

/** The App installation's id, when the delivery came to an App (absent, not undefined, otherwise). */
function installation(i: { id: number } | undefined): { installationId?: number } {
  return i ? { installationId: i.id } : {};
}

function firstLine(text: string | undefined): string | undefined {
  return cut(text?.split('\n', 1)[0]?.trim(), MAX_MESSAGE);
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair; empty is undefined. */
function cut(text: string | undefined, max: number): string | undefined {
  if (!text) return undefined;
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  return /[\ud800-\udbff]$/.test(head) ? head.slice(0, -1) : head;
}

/** A sender's string as JSON (control characters escaped), cut short. */
function quote(text: string, json = true): string {
  const shown = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text;
  return json ? JSON.stringify(shown) : shown;
}

function skip(reason: string): Normalized {
  return { action: 'skip', reason };
}

/**
 * GitHub's `closed_at` has whole seconds: the last millisecond of that second, so a build queued
 * in the same second before the close still counts as before it.
 */
function endOfSecond(iso: string | null | undefined): number | undefined {
  const at = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(at) ? Math.floor(at / 1000) * 1000 + 999 : undefined;
}
