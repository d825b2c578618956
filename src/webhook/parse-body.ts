/** GitHub's payloads nest about 7 deep; nothing it sends comes near this. */
const MAX_DEPTH = 64;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a webhook body sent as `application/json` or as `application/x-www-form-urlencoded`
 * (`payload=<url-encoded JSON>`). Returns undefined when it is not JSON as GitHub sends it:
 * bytes (or percent-escapes) that are not valid UTF-8, which JSON between systems must be (RFC
 * 8259 §8.1), text that does not parse, or arrays and objects nested deeper than 64, which no
 * GitHub payload is and which only a sender probing for stack overflows would send.
 */
export function parseBody(contentType: string | undefined, raw: Buffer): unknown {
  let text: string | undefined = utf8(raw);
  if (text !== undefined && (contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    text = formField(text, 'payload');
  }
  if (text === undefined || nestsDeeperThan(text, MAX_DEPTH)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function utf8(raw: Buffer): string | undefined {
  try {
    return strictUtf8.decode(raw);
  } catch {
    return undefined;
  }
}

/** The first `name=` field, percent-decoded strictly (URLSearchParams would let bad UTF-8 through as U+FFFD). */
function formField(form: string, name: string): string | undefined {
  for (const pair of form.split('&')) {
    if (!pair.startsWith(`${name}=`)) continue;
    try {
      return decodeURIComponent(pair.slice(name.length + 1).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Counts brackets outside strings; exact for valid JSON, and JSON.parse refuses the rest anyway. */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
