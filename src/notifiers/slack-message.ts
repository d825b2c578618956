import type { DeployNotice } from '../core/ports/notifier.ts';

const HEADLINE: Record<DeployNotice['outcome'], { emoji: string; verb: string }> = {
  succeeded: { emoji: ':white_check_mark:', verb: 'Deployed' },
  rolled_back: { emoji: ':leftwards_arrow_with_hook:', verb: 'Rolled back' },
  failed: { emoji: ':x:', verb: 'Failed to deploy' },
  error: { emoji: ':warning:', verb: 'Could not deploy' },
};

/** Slack's mrkdwn escaping for user-derived text (commit messages, branch names, authors). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** The incoming-webhook body for a deploy outcome: a `text` fallback plus blocks. Pure. */
export function slackMessage(n: DeployNotice): { text: string; blocks: unknown[]; unfurl_links: false } {
  const { emoji, verb } = HEADLINE[n.outcome];
  const sha7 = n.sha.slice(0, 7);
  const service = escapeMrkdwn(n.service);
  const env = escapeMrkdwn(n.environment);
  const headline = `${emoji} ${verb} *${service}* \`${sha7}\` to *${env}*`;
  const commit = n.message ? `> ${escapeMrkdwn(n.message.split('\n', 1)[0] ?? '').slice(0, 300)}` : '';
  const reason = n.outcome === 'succeeded' ? '' : `\n${escapeMrkdwn(n.detail).slice(0, 1000)}`;
  const context = [n.author ? `by ${escapeMrkdwn(n.author)}` : '', formatDuration(n.durationMs), `<${n.buildUrl}|build log>`]
    .filter(Boolean)
    .join(' · ');
  return {
    text: `${verb} ${n.service} ${sha7} to ${n.environment} (${n.buildUrl})`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: [headline, commit].filter(Boolean).join('\n') + reason } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${escapeMrkdwn(n.repository)} · ${context}` }] },
    ],
    unfurl_links: false,
  };
}
