// systemd's parsing of an `Exec*=` value (systemd.service(5) "Command lines"), no shell involved:
// specifiers, prefixes, words split on whitespace with "…"/'…' quoting and C escapes, then
// environment substitution ($$, ${NAME}, a whole-word $NAME). Test-only code.
import { nameInfo } from './unit-rules.ts';

export interface ExecLine {
  /** the `-` prefix: a failing command does not fail the unit */
  ignoreFailure: boolean;
  argv: string[];
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', s: ' ', '\\': '\\', '"': '"', "'": "'" };

/** Parses one `Exec*=` value of unit `unitName`; `{ error }` where systemd would refuse the line. */
export function parseExecLine(value: string, unitName: string, env: Record<string, string> = {}): ExecLine | { error: string } {
  const expanded = expandSpecifiers(value, unitName);
  if (typeof expanded !== 'string') return expanded;
  const prefix = /^[-@+!:]*/.exec(expanded.trimStart())![0];
  const words = splitWords(expanded.trimStart().slice(prefix.length));
  if (!Array.isArray(words)) return words;
  const argv = words.flatMap((w) => substitute(w, env));
  if (argv.length === 0) return { error: 'empty command line' };
  if (!argv[0]!.startsWith('/')) return { error: `executable path is not absolute: ${argv[0]}` };
  return { ignoreFailure: prefix.includes('-'), argv };
}

function expandSpecifiers(value: string, unitName: string): string | { error: string } {
  const info = nameInfo(unitName);
  const table: Record<string, string> = { '%': '%', n: info.full, N: info.name, p: info.prefix, i: info.instance, I: info.instance };
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '%') { out += value[i]; continue; }
    const replacement = table[value[i + 1] ?? ''];
    if (replacement === undefined) return { error: `Failed to resolve unit specifiers in ${JSON.stringify(value)}: unknown specifier %${value[i + 1] ?? ''}` };
    out += replacement;
    i++;
  }
  return out;
}

/** systemd's extract_first_word with unquoting and C unescaping, repeated to the end. */
function splitWords(text: string): { raw: string; word: string }[] | { error: string } {
  const words: { raw: string; word: string }[] = [];
  let i = 0;
  while (i < text.length) {
    if (/[ \t\n\r]/.test(text[i]!)) { i++; continue; }
    const start = i;
    let word = '';
    let quote: string | undefined;
    for (; i < text.length && (quote || !/[ \t\n\r]/.test(text[i]!)); i++) {
      const c = text[i]!;
      if (c === '\\') {
        const escaped = unescapeAt(text, i + 1);
        if ('error' in escaped) return escaped;
        word += escaped.text;
        i += escaped.length;
      } else if (quote ? c === quote : c === '"' || c === "'") quote = quote ? undefined : c;
      else word += c;
    }
    if (quote) return { error: `unbalanced quoting in ${JSON.stringify(text)}` };
    const raw = text.slice(start, i);
    if (raw === ';') return { error: 'several commands on one line (";") are not emulated' };
    words.push({ raw, word });
  }
  return words;
}

function unescapeAt(text: string, at: number): { text: string; length: number } | { error: string } {
  const c = text[at];
  if (c === undefined) return { error: 'a line ends in a backslash' };
  if (ESCAPES[c] !== undefined) return { text: ESCAPES[c]!, length: 1 };
  const hex = c === 'x' ? /^[0-9a-fA-F]{2}/.exec(text.slice(at + 1)) : c === 'u' ? /^[0-9a-fA-F]{4}/.exec(text.slice(at + 1)) : null;
  if (hex) return { text: String.fromCodePoint(parseInt(hex[0], 16)), length: 1 + hex[0].length };
  const octal = /^[0-7]{3}/.exec(text.slice(at));
  if (octal) return { text: String.fromCharCode(parseInt(octal[0], 8)), length: 3 };
  return { error: `invalid escape \\${c} in ${JSON.stringify(text)}` };
}

/** `$$` → `$`, `${NAME}` → its value, a word that is only `$NAME` → its value split at whitespace. */
function substitute({ word }: { word: string }, env: Record<string, string>): string[] {
  const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
  if (whole) return (env[whole[1]!] ?? '').split(/\s+/).filter(Boolean);
  return [word.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name?: string) => (m === '$$' ? '$' : (env[name!] ?? '')))];
}
