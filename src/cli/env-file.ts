import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The file `npm run up` writes its settings to, relative to the directory slipway runs in. */
export const LOCAL_ENV_FILE = '.slipway/local.env';

/** The variables every configuration needs: a shell that sets one of them has configured Slipway itself. */
const REQUIRED = ['GITHUB_WEBHOOK_SECRET', 'SLIPWAY_REGISTRY'];

/** `KEY=value` lines (`#` comments, blank lines, `export KEY=…` and quoted values allowed) as a map. Pure. */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const value = m[2]!;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    vars[m[1]!] = quoted ? quoted[2]! : value.replace(/\s+#.*$/, '');
  }
  return vars;
}

/**
 * Takes `--env-file <path>` (or `--env-file=<path>`) out of a command line and loads that file into
 * `env`: variables already set win, as with `node --env-file`. Without the option, loads
 * `.slipway/local.env` (what `npm run up` wrote) the same way when it exists and the shell has not
 * configured Slipway (neither GITHUB_WEBHOOK_SECRET nor SLIPWAY_REGISTRY set), so a shell's own
 * configuration is never mixed with it. Returns the rest of the command line and the file loaded
 * (none: undefined), or a problem for a missing file.
 */
export function applyEnvFile(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): { argv: string[]; loaded?: string } | { problem: string } {
  const rest: string[] = [];
  let path: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--env-file') {
      path = argv[i + 1];
      if (path === undefined) return { problem: '--env-file needs the path of a file of KEY=value lines' };
      i += 1;
    } else if (arg.startsWith('--env-file=')) path = arg.slice('--env-file='.length);
    else rest.push(arg);
  }
  if (path !== undefined) {
    const file = resolve(cwd, path);
    if (!existsSync(file)) return { problem: `--env-file ${path}: no such file` };
    return { argv: rest, loaded: load(file, env) };
  }
  const local = resolve(cwd, LOCAL_ENV_FILE);
  if (!existsSync(local) || REQUIRED.some((k) => env[k] !== undefined)) return { argv: rest };
  return { argv: rest, loaded: load(local, env) };
}

function load(file: string, env: NodeJS.ProcessEnv): string {
  for (const [k, v] of Object.entries(parseEnvFile(readFileSync(file, 'utf8')))) env[k] ??= v;
  return file;
}
