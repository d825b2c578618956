/**
 * A separate process that fetches with its own git source fetcher, as a second worker on the same
 * host would: `node --import tsx test/support/fetcher-process.ts <dataDir>`. Prints `ready`, then
 * for each stdin line `<cloneUrl> <sha>` fetches that commit and prints `ok <sha>` or
 * `error <sha> <message>`.
 */
import { createInterface } from 'node:readline';
import { createGitSourceFetcher } from '../../src/git/git-source-fetcher.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: fetcher-process.ts <dataDir>');
const fetcher = createGitSourceFetcher(dataDir);
const quiet = { line: () => undefined };

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cloneUrl = '', sha = ''] = line.trim().split(' ');
  fetcher.fetch({ cloneUrl, sha }, quiet).then(
    () => console.log(`ok ${sha}`),
    (err: unknown) => console.log(`error ${sha} ${err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err)}`),
  );
});
console.log('ready');
