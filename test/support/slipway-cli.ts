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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, timeout: timeoutMs });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
