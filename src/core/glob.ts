/*
 * Globs for branch filters and `paths`, with GitHub Actions' meaning of the three characters they
 * use: `*` is any run of characters but `/`; `**` any run including `/` (and `**` followed by `/`
 * at the start of a segment also matches no folder at all, so `**` + `/Dockerfile` matches
 * `Dockerfile`); `?` one character but `/`. Every other character is itself: no braces, classes,
 * extglobs or `!`, so every valid git branch name (git refuses `*`, `?`, `[` in them) is a pattern
 * that matches exactly itself: `main` means main, never `main2`. Pure.
 */

/** A compiled glob: whether a whole branch name or path matches it. */
export type Glob = (text: string) => boolean;

export function compileGlob(pattern: string): Glob {
  if (!/[*?]/.test(pattern)) return (text) => text === pattern;
  const regex = new RegExp(`^${globSource(pattern)}$`, 'u');
  return (text) => regex.test(text);
}

/** Whether the pattern has wildcards at all (a plain name is matched by equality). */
export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

function globSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('**/', i) && (i === 0 || pattern[i - 1] === '/')) {
      out += '(?:[^]*/)?';
      i += 3;
    } else if (pattern.startsWith('**', i)) {
      out += '[^]*';
      i += 2;
    } else if (pattern[i] === '*') {
      out += '[^/]*';
      i += 1;
    } else if (pattern[i] === '?') {
      out += '[^/]';
      i += 1;
    } else {
      const char = String.fromCodePoint(pattern.codePointAt(i)!);
      out += char.replace(/[\\^$.|+()[\]{}/]/g, '\\$&');
      i += char.length;
    }
  }
  return out;
}
