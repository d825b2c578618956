/**
 * Parses a webhook body sent as `application/json` or as `application/x-www-form-urlencoded`
 * (`payload=<url-encoded JSON>`). Returns undefined when it is not JSON.
 */
export function parseBody(contentType: string | undefined, raw: Buffer): unknown {
  let text = raw.toString('utf8');
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
