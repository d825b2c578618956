import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhooks } from '@octokit/webhooks';

const HEADER = /^sha256=[0-9a-f]{64}$/i;
/** keeps the BOM and refuses malformed bytes, so decoding then encoding gives back the same bytes */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

let verifier: { secret: string; webhooks: Webhooks } | undefined;

/**
 * Checks GitHub's `X-Hub-Signature-256` header against an HMAC-SHA256 of the exact bytes
 * received, in constant time, with @octokit/webhooks' `verify`. A missing or malformed header is
 * a failed check. Never given re-serialized JSON: the body is the bytes as they arrived.
 *
 * Octokit's `verify` takes the body as text and signs its UTF-8 encoding; that is the same bytes
 * for every valid UTF-8 body (the decoder keeps a BOM). A body that is empty or not valid UTF-8
 * has no such text, so those bytes are checked with the same HMAC and compare directly (such a
 * body is then refused as not JSON, after the signature has said who sent it).
 */
export async function verifySignature(secret: string, rawBody: Buffer, header: string | undefined): Promise<boolean> {
  if (!secret || !isSignatureHeader(header)) return false;
  const signature = header.toLowerCase();
  const text = utf8Text(rawBody);
  if (text === undefined || text === '') return bytesMatch(secret, rawBody, signature);
  if (verifier?.secret !== secret) verifier = { secret, webhooks: new Webhooks({ secret }) };
  return verifier.webhooks.verify(text, signature);
}

/** Whether `header` has the shape of GitHub's `sha256=<64 hex>`: without it, no body can be signed. */
export function isSignatureHeader(header: unknown): header is string {
  return typeof header === 'string' && HEADER.test(header);
}

/** The header value GitHub would send for `rawBody`; used by tests and the demo script. */
export function signBody(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

function utf8Text(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function bytesMatch(secret: string, rawBody: Buffer, signature: string): boolean {
  const expected = Buffer.from(signBody(secret, rawBody));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
