/** An `ADD` whose source the Docker engine would fetch over the network. */
export interface RemoteSource {
  /** line of the Dockerfile the instruction starts on, from 1 */
  readonly line: number;
  /** `ADD`, or `ONBUILD ADD` (a later stage of the same file that starts FROM this one runs it) */
  readonly instruction: string;
  readonly source: string;
}

const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/;
const URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const SCP_LIKE = /^[\w.-]+@[\w.-]+:/; // git@github.com:org/repo.git

/**
 * The `ADD` sources of a Dockerfile that make the engine fetch from the network: http(s), git and
 * any other `scheme://` URL, scp-like git addresses, and any source built from a variable (an
 * `ARG` or `ENV` could make it a URL). Read the way the classic builder reads a Dockerfile: the
 * `# escape=` parser directive, line continuations (comment and blank lines inside them
 * skipped), instructions in any case, flags such as `--chown=…`, the JSON form, quotes and
 * escapes inside words. Pure.
 */
export function remoteAddSources(dockerfile: string): RemoteSource[] {
  const escape = escapeCharacter(dockerfile);
  const found: RemoteSource[] = [];
  for (const { line, text } of logicalLines(dockerfile, escape)) {
    let [instruction, rest] = splitWord(text);
    let name = instruction.toUpperCase();
    if (name === 'ONBUILD') {
      [instruction, rest] = splitWord(rest);
      name = `ONBUILD ${instruction.toUpperCase()}`;
    }
    if (name !== 'ADD' && name !== 'ONBUILD ADD') continue;
    for (const source of addSources(rest)) {
      if (isRemote(source, escape)) found.push({ line, instruction: name, source });
    }
  }
  return found;
}

/** `\` unless a `# escape=` directive at the top (before anything else) says `` ` ``. */
function escapeCharacter(dockerfile: string): string {
  for (const raw of dockerfile.split(/\r?\n/)) {
    const directive = DIRECTIVE.exec(raw.trim());
    if (!directive) break;
    if (directive[1]!.toLowerCase() === 'escape' && directive[2] === '`') return '`';
  }
  return '\\';
}

/** Instructions with their continuation lines joined, each with the line it starts on. */
function logicalLines(dockerfile: string, escape: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  dockerfile.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return; // comments and blank lines, inside continuations too
    const end = raw.replace(/[ \t]+$/, '');
    const continues = end.endsWith(escape);
    const piece = continues ? end.slice(0, -1) : raw;
    if (current) current.text += piece;
    else current = { line: index + 1, text: piece };
    if (!continues) {
      lines.push(current);
      current = undefined;
    }
  });
  if (current) lines.push(current);
  return lines;
}

function splitWord(text: string): [string, string] {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  return match ? [match[1]!, match[2]!] : ['', ''];
}

/** Every argument but the destination, flags skipped; the JSON form when the rest is a JSON array. */
function addSources(rest: string): string[] {
  let args = rest.trim();
  while (args.startsWith('--')) args = splitWord(args)[1];
  let words: string[] = args.split(/\s+/).filter(Boolean);
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) words = parsed;
    } catch {
      // not JSON: the builder takes it as plain words too
    }
  }
  return words.length > 1 ? words.slice(0, -1) : words;
}

function isRemote(source: string, escape: string): boolean {
  if (source.includes('$')) return true;
  const word = source.replaceAll('"', '').replaceAll("'", '').replaceAll(escape, '');
  return URL.test(word) || SCP_LIKE.test(word);
}
