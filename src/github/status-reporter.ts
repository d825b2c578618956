import type { Logger } from 'pino';
import type { StatusGate } from '../core/ports/status-gate.ts';
import type { CommitStatus, StatusAbout, StatusReporter } from '../core/ports/status-reporter.ts';
import { SlipwayError } from '../core/errors.ts';
import { createGitHubTokens, type GitHubTokens } from './github-tokens.ts';
import { lazyOctokit } from './octokit-client.ts';
import { requestSignal } from './request-signal.ts';

const RETRIES = 3;

/**
 * Posts commit statuses with Octokit against `apiUrl` (github.com or GitHub Enterprise).
 * Rate limits (403/429 with retry-after or remaining 0) and 5xx are retried a few times, other
 * refusals are logged once; `report` never throws. With a `gate`, each attempt goes through it, so
 * statuses of one build or deploy stay in order across processes (see StatusGate). Without a token it posts nothing (one warning at start).
 */
export interface GitHubStatusOptions {
  readonly token?: string;
  /** where tokens come from (a GitHub App's installation tokens); beats `token` when given */
  readonly tokens?: GitHubTokens;
  readonly apiUrl: string;
  readonly logger: Logger;
  /** longest wait between attempts */
  readonly maxWaitMs?: number;
  readonly gate?: StatusGate;
  /** waits between attempts (tests hold it to order events) */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

export function createGitHubStatusReporter(options: GitHubStatusOptions): StatusReporter {
  const { token, apiUrl, logger, gate, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)) } = options;
  const tokens = options.tokens ?? createGitHubTokens({ apiUrl, token });
  if (tokens.kind === 'none') {
    logger.warn('GITHUB_TOKEN is not set: commit statuses will not be posted');
    return { report: async () => {} };
  }
  // The token is asked for per request (an App's installation tokens change); never logged.
  const octokit = lazyOctokit(apiUrl);
  const maxWaitMs = options.maxWaitMs ?? 60_000;

  return {
    async report(repository, sha, status, about) {
      const [owner = '', repo = ''] = repository.split('/');
      let refusedOnce = false;
      const send = async (lost?: AbortSignal) => {
        const auth = await tokens.forRepository(repository);
        try {
          await (await octokit()).rest.repos.createCommitStatus({ owner, repo, sha, ...toParams(status), headers: { authorization: `token ${auth}` }, request: { signal: requestSignal(lost) } });
        } catch (err) {
          // A revoked or expired installation token: forget it and send once more with a new one.
          if ((err as { status?: number }).status !== 401 || tokens.kind !== 'app' || refusedOnce || !auth) throw err;
          refusedOnce = true;
          tokens.refused(auth);
          await (await octokit()).rest.repos.createCommitStatus({ owner, repo, sha, ...toParams(status), headers: { authorization: `token ${await tokens.forRepository(repository)}` }, request: { signal: requestSignal(lost) } });
        }
      };
      for (let attempt = 1; ; attempt++) {
        try {
          // Asked again before every attempt: a retry must not land after a later status.
          const sent = gate && about ? await gate.post(about, send) : (await send(), true);
          if (!sent) logger.debug({ ...ids(about), repository, sha, context: status.context, state: status.state }, 'commit status dropped: a later one was already posted');
          return;
        } catch (err) {
          // No token to be had (the App is not installed there, its key is refused): asking again cannot help.
          const wait = err instanceof SlipwayError && !err.retryable ? undefined : retryDelay(err, attempt, maxWaitMs);
          if (wait === undefined || attempt >= RETRIES) {
            logger.warn({ ...ids(about), err: summarize(err), repository, sha, context: status.context, state: status.state }, 'commit status not posted');
            return;
          }
          await sleep(wait);
        }
      }
    },
  };
}

/** The build (and deploy) a log line is about, as every log line about them names them. */
function ids(about: StatusAbout | undefined): { build?: string; deploy?: string } {
  return about ? { build: about.build, ...(about.deploy ? { deploy: about.deploy } : {}) } : {};
}

function toParams(status: CommitStatus) {
  return { state: status.state, context: status.context, description: status.description, target_url: status.targetUrl };
}

/** How long to wait before retrying, or undefined when retrying cannot help. */
export function retryDelay(err: unknown, attempt: number, maxWaitMs: number): number | undefined {
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  const headers = e.response?.headers ?? {};
  const backoff = Math.min(maxWaitMs, 1000 * 2 ** (attempt - 1));
  if (e.status === undefined || e.status >= 500) return backoff;
  if (e.status !== 403 && e.status !== 429) return undefined;
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(maxWaitMs, retryAfter * 1000);
  if (headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']) * 1000 - Date.now();
    return Math.min(maxWaitMs, Math.max(0, reset));
  }
  // GitHub's documented signal for a secondary limit without retry-after is the message itself.
  if (e.status === 429 || /secondary rate limit/i.test(e.message ?? '')) return Math.min(maxWaitMs, 60_000 * 2 ** (attempt - 1));
  return undefined;
}

function summarize(err: unknown) {
  const e = err as { status?: number; message?: string };
  return { status: e.status, message: e.message };
}
