/**
 * Run the services for a local Slipway until Ctrl-C:
 *   node --import tsx scripts/local-services.ts [--root DIR] [--auth-registry] [--reuse]
 * starts everything, prints `export VAR=value` lines, and stops it all on SIGINT/SIGTERM.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mountsUnder } from './mounts.ts';
import { startLocalServices } from './index.ts';
import type { LocalServices } from './types.ts';

const USAGE = `usage: node --import tsx scripts/local-services.ts [--root DIR] [--auth-registry] [--reuse]`;

interface CliArgs {
  root?: string;
  auth: boolean;
  reuse: boolean;
}

function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { auth: false, reuse: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root') out.root = argv[++i];
    else if (a?.startsWith('--root=')) out.root = a.slice('--root='.length);
    else if (a === '--auth-registry') out.auth = true;
    else if (a === '--reuse') out.reuse = true;
    else {
      console.error(USAGE);
      process.exit(2);
    }
  }
  return out;
}

function printExports(s: LocalServices): void {
  console.log(`export REDIS_URL=${s.redisUrl}`);
  console.log(`export DOCKER_HOST=${s.dockerHost}`);
  console.log(`export SLIPWAY_REGISTRY=${s.registry}`);
  console.log(`export SLIPWAY_TEST_REGISTRY=${s.registry}`);
  if (s.authRegistry) {
    console.log(`export SLIPWAY_TEST_AUTH_REGISTRY=${s.authRegistry.host}`);
    console.log(`export SLIPWAY_TEST_AUTH_USERNAME=${s.authRegistry.username}`);
    console.log(`export SLIPWAY_TEST_AUTH_PASSWORD=${s.authRegistry.password}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const made = !args.root;
  const root = args.root ?? fs.mkdtempSync(path.join(os.tmpdir().length < 20 ? os.tmpdir() : '/tmp', 'slipway-'));
  const s = await startLocalServices({ root, authRegistry: args.auth, reuse: args.reuse, log: (l) => console.error(`[local-services] ${l}`) });
  printExports(s);
  console.error(`[local-services] running; logs in ${root}; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await s.stop();
  if (made && mountsUnder(root).length === 0) fs.rmSync(root, { recursive: true, force: true });
}

/** The command-line mode: parse `argv`, run until a signal, exit 1 with the message on failure. */
export function runCli(argv: string[]): void {
  main(argv).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runCli(process.argv.slice(2));
