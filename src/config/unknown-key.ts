/**
 * What to say about a key a pipeline file has that its place does not take: named, with the
 * closest known key when one is near (a typo), else the keys it takes. Pure.
 * `unknownKey('enviroment', ['branch', 'environment'])` → "unknown key 'enviroment' (did you mean 'environment'?)"
 */
export function unknownKey(key: string, known: readonly string[]): string {
  const close = closestKey(key, known);
  if (close) return `unknown key '${key}' (did you mean '${close}'?)`;
  return `unknown key '${key}' (known keys: ${known.join(', ')})`;
}

/** The known key nearest to `key` by edit distance (a swap of two neighbours counts once), if near enough to be a typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  if (!best) return undefined;
  // A third of the longer name, at least one edit: 'enviroment' and 'dockerfle' are typos, 'image' is not 'timeout'.
  const allowed = Math.max(1, Math.floor(Math.max(key.length, best.key.length) / 3));
  return best.distance <= allowed ? best.key : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
