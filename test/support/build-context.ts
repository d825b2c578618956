import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import { makeTempDir, removeTempDir } from './temp-dir.ts';

/**
 * A build context as the pipeline hands it to the builder: a tar stream of a folder, here a temp
 * folder holding `files` (path → content). The folder goes away once the stream is read.
 */
export function buildContext(files: Record<string, string>): Readable {
  const dir = makeTempDir('slipway-context-'); // a context a failed build left unread goes at exit
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  const stream = Readable.from(pack(dir) as unknown as AsyncIterable<Buffer>);
  stream.once('close', () => removeTempDir(dir));
  return stream;
}
