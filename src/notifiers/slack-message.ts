import { formatDuration } from '../core/duration.ts';
import type { DeployNotice } from '../core/ports/notifier.ts';

const HEADLINE: Record<DeployNotice['outcome'], { emoji: string; verb: string }> = {
  succeeded: { emoji: ':white_check_mark:', verb: 'Deployed' },
  rolled_back: { emoji: ':leftwards_arrow_with_hook:', verb: 'Rolled back' },
  failed: { emoji: ':x:', verb: 'Failed to deploy' },
  error: { emoji: ':warning:', verb: 'Could not deploy' },
};

type Phrase = (service: string, sha: string, environment: string) => string;

/** Headlines of a rollback (`slipway rollback`): the build put back, not a new one. */
const ROLLBACK_HEADLINE: Record<DeployNotice['outcome'], { emoji: string; phrase: Phrase }> = {
  succeeded: { emoji: ':rewind:', phrase: (s, sha, env) => `Rolled ${s} back to ${sha} in ${env}` },
  rolled_back: { emoji: ':x:', phrase: (s, sha, env) => `Rollback of ${s} to ${sha} in ${env} failed; the release before it runs again` },
  failed: { emoji: ':x:', phrase: (s, sha, env) => `Rollback of ${s} to ${sha} in ${env} failed` },
  error: { emoji: ':warning:', phrase: (s, sha, env) => `Could not roll ${s} back to ${sha} in ${env}` },
};

/** The headline in mrkdwn and as plain text. */
function headlines(n: DeployNotice): { mrkdwn: string; text: string } {
  const sha7 = n.sha.slice(0, 7);
  const [service, env] = [escapeMrkdwn(n.service), escapeMrkdwn(n.environment)];
  if (n.rollback) {
    const { emoji, phrase } = ROLLBACK_HEADLINE[n.outcome];
    return { mrkdwn: `${emoji} ${phrase(`*${service}*`, `\`${sha7}\``, `*${env}*`)}`, text: phrase(n.service, sha7, n.environment) };
  }
  const { emoji, verb } = HEADLINE[n.outcome];
  const asked = requestedNote(n);
  return { mrkdwn: `${emoji} ${verb} *${service}* \`${sha7}\` to *${env}*${escapeMrkdwn(asked)}`, text: `${verb} ${n.service} ${sha7} to ${n.environment}${asked}` };
}

/** ` (promoted from staging, back from newer abc1234)` for a deploy a person asked for; empty otherwise. */
function requestedNote(n: DeployNotice): string {
  if (!n.requested) return '';
  const how = n.requested === 'promote' ? `promoted from ${n.from ?? 'another environment'}` : n.requested === 'approval' ? 'approved' : 'deployed by hand';
  return ` (${how}${n.backFrom ? `, back from newer ${n.backFrom.slice(0, 7)}` : ''})`;
}

/** Slack's mrkdwn escaping for user-derived text (commit messages, branch names, authors). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The incoming-webhook body for a deploy outcome: a `text` fallback plus blocks. Pure. */
export function slackMessage(n: DeployNotice): { text: string; blocks: unknown[]; unfurl_links: false } {
  const headline = headlines(n);
  const commit = n.message ? `> ${escapeMrkdwn(n.message.split('\n', 1)[0] ?? '').slice(0, 300)}` : '';
  const reason = n.outcome === 'succeeded' ? '' : `\n${escapeMrkdwn(n.detail).slice(0, 1000)}`;
  const context = [n.author ? `by ${escapeMrkdwn(n.author)}` : '', formatDuration(n.durationMs), `<${n.buildUrl}|build log>`]
    .filter(Boolean)
    .join(' · ');
  return {
    text: `${headline.text} (${n.buildUrl})`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: [headline.mrkdwn, commit].filter(Boolean).join('\n') + reason } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${escapeMrkdwn(n.repository)} · ${context}` }] },
    ],
    unfurl_links: false,
  };
}
