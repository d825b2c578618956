import { spawn } from 'node:child_process';
import { stoppedError } from '../core/stopped.ts';

/** How long git may clean up (remove its lock files and partial clone) after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/** git ended with a non-zero exit code; `message` holds the end of its stderr. */
export class GitCommandError extends Error {
  readonly exitCode: number | null;

  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(`git ${args[0]} failed (exit ${exitCode ?? 'by signal'}): ${stderr.trim()}`);
    this.name = 'GitCommandError';
    this.exitCode = exitCode;
  }
}

/**
 * Runs git with an argument array (never a shell) in a process group of its own, and resolves
 * with its stdout. When `signal` aborts, the whole group gets SIGTERM (SIGKILL after a grace):
 * git's helpers go too. That is why this exists beside simple-git, whose `abort` ends only git
 * itself: `git-remote-http`, git's child for http(s) remotes, then stays behind holding the
 * connection to a remote that never answers. Rejects once every process has ended, with the
 * signal's stop error or GitCommandError. Never prompts for credentials. `env` adds to git's
 * environment for this command only (how credentials reach it: see git-credentials.ts).
 */
export function runGit(args: readonly string[], options: { cwd?: string; signal?: AbortSignal; input?: string; env?: Readonly<Record<string, string>> } = {}): Promise<Buffer> {
  const { cwd, signal, input, env } = options;
  if (signal?.aborted) return Promise.reject(stoppedError(signal, `git ${args[0]}`));
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      detached: true, // its own process group, so one kill reaches its helpers
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env, GIT_TERMINAL_PROMPT: '0' },
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // the group is gone already
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    signal?.addEventListener('abort', stop, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    if (input !== undefined) child.stdin?.end(input);
    child.stdin?.on('error', () => undefined); // git may exit before reading its input
    child.on('error', (err) => {
      signal?.removeEventListener('abort', stop);
      reject(err);
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', stop);
      clearTimeout(killTimer);
      if (signal?.aborted) {
        killGroup('SIGKILL'); // a helper that outlived git
        reject(stoppedError(signal, `git ${args[0]}`));
      } else if (code === 0) resolve(Buffer.concat(stdout));
      else reject(new GitCommandError(args, code, stderr));
    });
  });
}
