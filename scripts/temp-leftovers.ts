import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Made by tools on purpose and kept between runs: tsx's compile cache (`tsx-<uid>`). */
const CACHES = /^tsx-\d+$/;

/**
 * Notes what the temp folders (/tmp and the system's, when they differ) hold now; the function
 * it returns lists, as full paths, the entries that appeared since and are still there. Other
 * processes may create entries meanwhile, so the list is for a warning: nothing is removed.
 */
export function watchTempFolders(dirs: readonly string[] = [...new Set(['/tmp', os.tmpdir()])]): () => string[] {
  const before = new Map(dirs.map((dir) => [dir, new Set(entries(dir))]));
  return () => dirs.flatMap((dir) => entries(dir).filter((e) => !before.get(dir)!.has(e) && !CACHES.test(e)).map((e) => path.join(dir, e)));
}

function entries(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
