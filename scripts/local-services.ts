/**
 * Real local services for tests and for running Slipway on one machine: Redis, a private Docker
 * engine, a plain v2 registry and (optionally) an htpasswd-protected registry. The stable entry;
 * the code lives in scripts/local-services/ (index.ts: `startLocalServices`; cli.ts: the CLI).
 *
 * Library:  const s = await startLocalServices({ root: '/tmp/slipway-x' }); ...; await s.stop();
 * CLI:      node --import tsx scripts/local-services.ts [--root DIR] [--auth-registry] [--reuse]
 *           starts everything, prints `export VAR=value` lines, runs until Ctrl-C.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './local-services/cli.ts';

export * from './local-services/index.ts';

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runCli(process.argv.slice(2));
