import type { Logger } from 'pino';
import type { Notifier } from '../core/ports/notifier.ts';
import { slackMessage } from './slack-message.ts';

/** 1 + 2 + 4 + 8 + 16 s between them: a Slack outage of about half a minute loses no message. */
const ATTEMPTS = 6;

/**
 * Posts deploy notices to a Slack incoming webhook. 429 waits `Retry-After`, 5xx and network
 * errors retry with exponential backoff for about half a minute, 4xx are permanent. Never throws: a message that cannot
 * be delivered must not fail a deploy. The webhook URL is a secret and is never logged.
 */
export function createSlackNotifier(options: { webhookUrl?: string; logger: Logger; maxWaitMs?: number }): Notifier {
  const { webhookUrl, logger } = options;
  if (!webhookUrl) return { notify: async () => {} };
  const maxWaitMs = options.maxWaitMs ?? 30_000;

  return {
    async notify(notice) {
      const body = JSON.stringify(slackMessage(notice));
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const result = await post(webhookUrl, body);
        if (result.ok) return;
        const wait = result.status === 429 ? Number(result.retryAfter ?? 1) * 1000 : result.status >= 500 || result.status === 0 ? 1000 * 2 ** (attempt - 1) : undefined;
        if (wait === undefined || attempt === ATTEMPTS) {
          logger.warn({ status: result.status, reply: result.reply, service: notice.service, build: notice.build, deploy: notice.deploy }, 'Slack message not delivered');
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(wait, maxWaitMs)));
      }
    },
  };
}

async function post(url: string, body: string) {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
    const reply = (await res.text()).slice(0, 200);
    return { ok: res.status === 200, status: res.status, reply, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    return { ok: false, status: 0, reply: (err as Error).message, retryAfter: null };
  }
}
