import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Folders made by this process and not yet removed. */
const made = new Set<string>();
// The net under the hooks: a test that failed half-way still leaves nothing in /tmp, and neither
// does a test process stopped by Ctrl-C or a kill (it then dies of that signal as it would have).
process.once('exit', () => removeTempDirs());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeTempDirs();
    process.kill(process.pid, signal);
  });
}

/**
 * A new empty folder `<system temp>/<prefix>XXXXXX`. Remove it when the test is done, in an
 * `after` hook or `t.after` (`removeTempDir`, or `removeTempDirs` for all of a file's); whatever
 * is left when the process exits is removed then.
 */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes a folder and everything in it (gone already: nothing to do). */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.delete(dir);
}

/** Removes every folder `makeTempDir` made in this process that is still there. */
export function removeTempDirs(): void {
  for (const dir of made) removeTempDir(dir);
}
