import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivery, Reply } from '../webhook/receive-delivery.ts';
import { isSignatureHeader } from '../webhook/verify-signature.ts';

export interface WebhookLimits {
  /** GitHub refuses to send payloads over 25 MB; nothing larger is read */
  readonly maxBodyBytes: number;
  /** bytes all webhook requests in flight may hold at once; past it, 503 */
  readonly maxInFlightBytes: number;
  /** GitHub gives up on a delivery after 10 s; a body still arriving then is not one it sent */
  readonly readTimeoutMs: number;
}

export const DEFAULT_WEBHOOK_LIMITS: WebhookLimits = { maxBodyBytes: 25 * 1024 ** 2, maxInFlightBytes: 64 * 1024 ** 2, readTimeoutMs: 10_000 };

interface Refusal {
  readonly status: number;
  readonly error: string;
  /** seconds, for 503 */
  readonly retryAfter?: number;
}

const UNSIGNED: Refusal = { status: 401, error: 'X-Hub-Signature-256 is missing or does not match; check that GITHUB_WEBHOOK_SECRET equals the webhook secret on GitHub' };

/** Called with an error the route could not answer itself, or with nothing for a request that is not a delivery. */
export type Next = (err?: unknown) => void;
export type WebhookHandler = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** The route, with the bytes its bodies in flight hold now (what the budget has lent out). */
export interface WebhookRoute extends WebhookHandler {
  inFlightBytes(): number;
}

/**
 * `POST /webhooks/github`. Refuses what cannot be a GitHub delivery before reading its body (no
 * signature header, too large, compressed), then takes the body as raw bytes (no parser runs
 * before the signature check) within a size limit, a read deadline and a budget shared by every
 * webhook request in flight, so unsigned bodies cannot exhaust memory. Answers, and only then
 * hands new builds to `afterReply` (pending statuses). Each refusal for the signature goes to
 * `unsigned` (a counter and a rate-limited warning: createSignatureRefusals).
 *
 * Plain node:http, so the busiest route skips express's stack (the app calls it before express);
 * it is still a middleware express can mount. Every other request goes to `next()`.
 */
export function webhookRoute(
  receive: (d: Delivery) => Promise<Reply>,
  afterReply: (builds: Reply['queued']) => void,
  limits: WebhookLimits = DEFAULT_WEBHOOK_LIMITS,
  /** told of each delivery refused for its signature (401), with its delivery id */
  unsigned: (deliveryId: string | undefined) => void = () => undefined,
): WebhookRoute {
  const budget = { free: limits.maxInFlightBytes };
  const route: WebhookHandler = (req, res, next) => {
    if (!isWebhookRequest(req)) return next();
    void answer(req, res, next);
  };
  return Object.assign(route, { inFlightBytes: () => limits.maxInFlightBytes - budget.free });

  async function answer(req: IncomingMessage, res: ServerResponse, next: Next): Promise<void> {
    const refused = refuseByHeaders(req, limits);
    if (refused === UNSIGNED) unsigned(header(req, 'x-github-delivery'));
    if (refused) return refuse(req, res, refused, limits);
    const read = await readBody(req, budget, limits);
    if (!read.ok) return refuse(req, res, read, limits);
    try {
      const result = await receive({
        event: header(req, 'x-github-event'),
        deliveryId: header(req, 'x-github-delivery'),
        signature: header(req, 'x-hub-signature-256'),
        contentType: header(req, 'content-type'),
        body: read.body,
      });
      sendJson(res, result.status, result.body);
      if (result.status === 401) unsigned(header(req, 'x-github-delivery'));
      if (result.queued.length > 0) afterReply(result.queued);
    } catch (err) {
      next(err);
    } finally {
      budget.free += read.body.length;
    }
  }
}

/** `POST /webhooks/github`, matched as express matched it: any case, an optional trailing slash, any query. */
export function isWebhookRequest(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).toLowerCase();
  return path === '/webhooks/github' || path === '/webhooks/github/';
}

/** A JSON answer, as express's `res.status(s).json(b)` sent it (without the ETag, which a POST answer does not use). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function refuseByHeaders(req: IncomingMessage, limits: WebhookLimits): Refusal | undefined {
  if (!isSignatureHeader(req.headers['x-hub-signature-256'])) return UNSIGNED;
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > limits.maxBodyBytes) return tooLarge(limits);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return { status: 415, error: `Content-Encoding ${encoding.slice(0, 40)} is not taken; GitHub sends bodies uncompressed` };
  return undefined;
}

type BodyRead = { readonly ok: true; readonly body: Buffer } | ({ readonly ok: false } & Refusal);

/**
 * Buffers the body chunk by chunk, taking each chunk from the shared budget. Past the size limit or
 * the budget it keeps nothing more and gives back what it took, but reads on to the end before the
 * answer: a socket closed with unread bytes is reset, and the reset can destroy the answer before
 * the sender reads it.
 */
function readBody(req: IncomingMessage, budget: { free: number }, limits: WebhookLimits): Promise<BodyRead> {
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let kept = 0;
    let refusal: Refusal | undefined;
    const keepNothing = (why: Refusal) => {
      refusal = why;
      budget.free += kept;
      kept = 0;
      chunks = [];
    };
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (!result.ok) keepNothing(result);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (refusal) return;
      if (size > limits.maxBodyBytes) return keepNothing(tooLarge(limits));
      if (chunk.length > budget.free) return keepNothing(busy(limits));
      budget.free -= chunk.length;
      kept += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => finish(refusal ? { ok: false, ...refusal } : { ok: true, body: Buffer.concat(chunks, kept) });
    // The sender went away mid-body: nobody will read the answer, but settle and give the budget back.
    const onGone = () => finish({ ok: false, status: 400, error: 'the request ended before its body was complete' });
    const late: Refusal = { status: 408, error: `the body did not arrive within ${limits.readTimeoutMs / 1000} s` };
    const timer = setTimeout(() => finish({ ok: false, ...(refusal ?? late) }), limits.readTimeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/**
 * Answers a request refused before its body was read whole; what still arrives is dropped, and a
 * sender still streaming a read deadline after the answer is cut off.
 */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal, limits: WebhookLimits): void {
  if (res.headersSent || req.socket.destroyed) return; // the sender went away: no one to answer
  req.on('error', () => undefined); // a sender resetting the connection after the answer is expected
  sendJson(res, refusal.status, { error: refusal.error }, refusal.retryAfter !== undefined ? { 'retry-after': String(refusal.retryAfter) } : {});
  if (req.complete) return;
  const cutOff = setTimeout(() => req.socket.destroy(), limits.readTimeoutMs).unref();
  req.once('end', () => clearTimeout(cutOff)).resume();
}

function busy(limits: WebhookLimits): Refusal {
  const retryAfter = Math.ceil(limits.readTimeoutMs / 1000);
  return { status: 503, retryAfter, error: 'too many webhook bodies are being received at once; nothing was kept, redeliver the webhook' };
}

function tooLarge(limits: WebhookLimits): Refusal {
  return { status: 413, error: `payload too large: GitHub sends at most ${limits.maxBodyBytes / 1024 ** 2} MB` };
}
