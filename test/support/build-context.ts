import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-fs';

/** Context folders not yet removed; whatever a failed build left unread goes when the process exits. */
const folders = new Set<string>();
const removeFolder = (dir: string) => {
  fs.rmSync(dir, { recursive: true, force: true });
  folders.delete(dir);
};
process.once('exit', () => folders.forEach(removeFolder));

/**
 * A build context as the pipeline hands it to the builder: a tar stream of a folder, here a temp
 * folder holding `files` (path → content). The folder goes away once the stream is read.
 */
export function buildContext(files: Record<string, string>): Readable {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-context-'));
  folders.add(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  const stream = Readable.from(pack(dir) as unknown as AsyncIterable<Buffer>);
  stream.once('close', () => removeFolder(dir));
  return stream;
}
