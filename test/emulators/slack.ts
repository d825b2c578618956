// Local emulator of a Slack incoming webhook (reference: shared/reference/apis.md §9).
// Responses are plain text, exactly like hooks.slack.com.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { charLength, listen, pollUntil, sendText } from './http-util.ts';

export interface SlackEmulator {
  url: string;
  messages: { text: string; blocks?: unknown[]; body: any; at: number }[];
  rejected: { status: number; body: string }[];
  archive(): void;
  rateLimit(retryAfterSeconds: number): void;
  /** every post answers 500 `rollup_error` (Slack's own failure) until `recover()` */
  outage(): void;
  recover(): void;
  waitFor(pred: (m: SlackEmulator['messages']) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SlackEmulatorOptions {
  /** Token-bucket capacity: posts allowed back-to-back before 429 (default 50). */
  burst?: number;
  /** Sustained rate, tokens per second (default 1, Slack's ~1 msg/s per webhook). */
  perSecond?: number;
}

const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3000;
const BLOCK_TYPES = new Set([
  'actions', 'context', 'divider', 'file', 'header', 'image', 'input', 'markdown', 'rich_text', 'section', 'video',
]);

type Verdict = { ok: true; text: string; blocks?: unknown[] } | { ok: false; error: 'invalid_payload' | 'no_text' | 'invalid_blocks' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function blockIsValid(b: unknown): boolean {
  if (!isObject(b) || typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) return false;
  if (b.type !== 'section') return true;
  // A section needs a text object and/or fields; each text is at most 3000 characters.
  const texts = [b.text, ...(Array.isArray(b.fields) ? b.fields : [])].filter((t) => t !== undefined);
  if (texts.length === 0) return false;
  return texts.every((t) => isObject(t) && typeof t.text === 'string' && charLength(t.text) <= MAX_SECTION_TEXT);
}

/** Validate a webhook payload the way Slack does: parse, blocks, then the text requirement. */
export function checkPayload(contentType: string | undefined, raw: string): Verdict & { body?: unknown } {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime !== 'application/json') return { ok: false, error: 'invalid_payload' };
  let body: unknown;
  try { body = JSON.parse(raw); } catch { return { ok: false, error: 'invalid_payload' }; }
  if (!isObject(body)) return { ok: false, error: 'invalid_payload' };
  const blocks = body.blocks;
  if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS || !blocks.every(blockIsValid))) {
    return { ok: false, error: 'invalid_blocks' };
  }
  const text = typeof body.text === 'string' ? body.text : '';
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(body.attachments) && body.attachments.length > 0;
  if (text.trim() === '' && !hasBlocks && !hasAttachments) return { ok: false, error: 'no_text' };
  return hasBlocks ? { ok: true, text, blocks: blocks as unknown[], body } : { ok: true, text, body };
}

export async function startSlackEmulator(opts: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const burst = opts.burst ?? 50;
  const perSecond = opts.perSecond ?? 1;
  const path = `/services/T000/B000/${randomBytes(12).toString('hex')}`;
  const messages: SlackEmulator['messages'] = [];
  const rejected: SlackEmulator['rejected'] = [];
  let archived = false;
  let forcedRetryAfter: number | undefined;
  let down = false;
  let tokens = burst;
  let lastRefill = Date.now();

  /** Token bucket: returns 0 if a token was taken, else seconds until one is available. */
  function takeToken(): number {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - lastRefill) / 1000) * perSecond);
    lastRefill = now;
    if (tokens >= 1) { tokens -= 1; return 0; }
    return Math.max(1, Math.ceil((1 - tokens) / perSecond));
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
      if (status !== 200) rejected.push({ status, body: text });
      sendText(res, status, text, headers);
    };
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname !== path) return reply(404, 'no_service');
    if (req.method !== 'POST') return reply(400, 'invalid_payload'); // no payload on a GET/PUT (unverified)
    if (down) return reply(500, 'rollup_error');
    if (forcedRetryAfter !== undefined) {
      const s = forcedRetryAfter;
      forcedRetryAfter = undefined;
      return reply(429, 'rate_limited', { 'retry-after': String(s) });
    }
    const wait = takeToken();
    if (wait > 0) return reply(429, 'rate_limited', { 'retry-after': String(wait) });
    if (archived) return reply(410, 'channel_is_archived');
    const v = checkPayload(req.headers['content-type'], raw);
    if (!v.ok) return reply(400, v.error);
    const msg: SlackEmulator['messages'][number] = { text: v.text, body: v.body, at: Date.now() };
    if (v.blocks) msg.blocks = v.blocks;
    messages.push(msg);
    reply(200, 'ok');
  }

  const srv = await listen(handle);
  return {
    url: `http://127.0.0.1:${srv.port}${path}`,
    messages,
    rejected,
    archive() { archived = true; },
    rateLimit(retryAfterSeconds) { forcedRetryAfter = retryAfterSeconds; },
    outage() { down = true; },
    recover() { down = false; },
    waitFor(pred, timeoutMs = 2000) {
      const describe = () => JSON.stringify(messages.map((m) => m.text)) + ` (rejected: ${JSON.stringify(rejected)})`;
      return pollUntil(() => messages, pred, timeoutMs, describe);
    },
    close: srv.close,
  };
}
