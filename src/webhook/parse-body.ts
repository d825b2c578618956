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

/** A string's opening quote and the brackets: what the nesting check needs to look at. */
const SPECIAL = /["[\]{}]/g;

/**
 * Counts brackets outside strings; exact for valid JSON, and JSON.parse refuses the rest anyway.
 * Jumps from one special character to the next with a regular expression and over each string
 * with indexOf (a third of the time of looking at every character, on GitHub's push example).
 */
function nestsDeeperThan(text: string, max: number): boolean {
  if (atMostOpeners(text, max)) return false; // GitHub's push example has 47 (in strings or not)
  let depth = 0;
  SPECIAL.lastIndex = 0;
  for (let m = SPECIAL.exec(text); m !== null; m = SPECIAL.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === 0x22) SPECIAL.lastIndex = stringEnd(text, m.index + 1);
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else depth--;
  }
  return false;
}

/** Whether `text` has at most `max` of `{` and `[` anywhere: then nothing in it nests deeper. indexOf is native, a loop over characters is not. */
function atMostOpeners(text: string, max: number): boolean {
  let count = 0;
  for (const opener of ['{', '[']) {
    for (let i = text.indexOf(opener); i >= 0; i = text.indexOf(opener, i + 1)) if (++count > max) return false;
  }
  return true;
}

/** Where the string opened just before `from` ends (past its closing quote); the text's end when it never does. */
function stringEnd(text: string, from: number): number {
  for (let i = text.indexOf('"', from); i >= 0; i = text.indexOf('"', i + 1)) {
    let backslashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return i + 1;
  }
  return text.length;
}
