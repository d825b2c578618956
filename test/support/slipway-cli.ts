import { spawn } from 'node:child_process';

const BIN = new URL('../../bin/slipway.mjs', import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `slipway` binary as an operator would: a separate process with only Slipway's
 * configuration (`env`) besides PATH and HOME. Asynchronous on purpose: the emulators it talks to
 * live in the test's own process.
 */
export function runSlipway(env: Readonly<Record<string, string>>, args: readonly string[], timeoutMs = 180_000): Promise<CliResult> {
  return spawnSlipway(env, args, { timeoutMs }).output;
}

/**
 * `runSlipway` for a command a test watches while it runs (`slipway logs -f`): `stdout()` is what
 * it printed so far, `output` resolves once it exits. `cwd`: where it runs (default: the test's).
 */
export function spawnSlipway(env: Readonly<Record<string, string>>, args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): { output: Promise<CliResult>; stdout(): string } {
  let [stdout, stderr] = ['', ''];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, timeout: options.timeoutMs ?? 180_000 });
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const output = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { output, stdout: () => stdout };
}
