import type { Logger } from 'pino';
import type { DeploymentIds } from '../core/ports/deployment-ids.ts';
import type { DeploymentNotice, DeploymentReporter } from '../core/ports/deployment-reporter.ts';
import type { StatusGate } from '../core/ports/status-gate.ts';
import { SlipwayError } from '../core/errors.ts';
import { deploymentShown, deploymentTitle, isPreviewEnvironment, marksInactiveItself, type DeploymentState } from './deployment-map.ts';
import type { GitHubTokens } from './github-tokens.ts';
import { truncate } from '../core/status-map.ts';
import { retryDelay } from './status-reporter.ts';
import { lazyOctokit } from './octokit-client.ts';
import { requestSignal } from './request-signal.ts';

const RETRIES = 3;

export interface GitHubDeploymentOptions {
  readonly tokens: GitHubTokens;
  readonly apiUrl: string;
  readonly logger: Logger;
  /** which GitHub deployment stands for which deploy (created once across processes) */
  readonly ids: DeploymentIds;
  /** keeps each deploy's deployment statuses in order across processes (subject `deployment:<id>`) */
  readonly gate?: StatusGate;
  /** longest wait between attempts */
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/**
 * GitHub deployments with Octokit against `apiUrl`: `POST /repos/{o}/{r}/deployments` (the full
 * sha, `auto_merge: false`, `required_contexts: []`: the deploy already happens, GitHub must not
 * refuse or merge) and deployment statuses with `log_url` and `environment_url`. GitHub marks
 * earlier successful deployments of an environment `inactive` itself only for non-production,
 * non-transient ones (`auto_inactive`); for the others this marks the one a success replaces.
 * Retries and refusals as the status reporter; never throws; tokens are never logged.
 */
export function createGitHubDeploymentReporter(options: GitHubDeploymentOptions): DeploymentReporter {
  const { tokens, apiUrl, logger, ids, gate, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)) } = options;
  if (tokens.kind === 'none') return { report: async () => {} };
  const octokit = lazyOctokit(apiUrl);
  const maxWaitMs = options.maxWaitMs ?? 60_000;

  /** Runs `call` with a token for `repository`; a refused installation token is minted again once. */
  async function authorized<T>(repository: string, call: (authorization: string) => Promise<T>): Promise<T> {
    const auth = await tokens.forRepository(repository);
    try {
      return await call(`token ${auth}`);
    } catch (err) {
      if ((err as { status?: number }).status !== 401 || tokens.kind !== 'app' || !auth) throw err;
      tokens.refused(auth);
      return call(`token ${await tokens.forRepository(repository)}`);
    }
  }

  /** Retries what may pass later (rate limits, 5xx, no answer); false when it was given up on. */
  async function attempt(what: string, about: Record<string, unknown>, run: () => Promise<unknown>): Promise<boolean> {
    for (let n = 1; ; n++) {
      try {
        await run();
        return true;
      } catch (err) {
        const wait = err instanceof SlipwayError && !err.retryable ? undefined : retryDelay(err, n, maxWaitMs);
        if (wait === undefined || n >= RETRIES) {
          logger.warn({ ...about, err: summarize(err) }, what);
          return false;
        }
        await sleep(wait);
      }
    }
  }

  /**
   * The deployment an earlier attempt created for this deploy but could not remember (killed
   * between GitHub's answer and `ids.set`): the one of this sha and environment whose payload
   * names this service, build and deploy. Deployments are listed newest first; one page is enough
   * for a deploy that is still being reported.
   */
  async function created(n: DeploymentNotice, owner: string, repo: string, lost?: AbortSignal): Promise<number | undefined> {
    const { data } = await authorized(n.repository, async (authorization) => (await octokit()).rest.repos.listDeployments({
      owner, repo, sha: n.sha, environment: n.deploy.environment, per_page: 100,
      headers: { authorization }, request: { signal: requestSignal(lost) },
    }));
    return data.find((d) => isSlipwayDeploy(d.payload, n))?.id;
  }

  async function create(n: DeploymentNotice, owner: string, repo: string, lost?: AbortSignal): Promise<number> {
    const environment = n.deploy.environment;
    const { data } = await authorized(n.repository, async (authorization) => (await octokit()).rest.repos.createDeployment({
      owner, repo, ref: n.sha, environment, auto_merge: false, required_contexts: [],
      description: deploymentTitle(n), payload: { slipway: { service: n.service, build: n.build, deploy: n.deploy.id } },
      ...(isPreviewEnvironment(environment) ? { transient_environment: true } : {}),
      headers: { authorization }, request: { signal: requestSignal(lost) },
    }));
    // 202 (a merge instead of a deployment) only happens with auto_merge.
    if (!('id' in data) || typeof data.id !== 'number') throw new SlipwayError('SOURCE_UNAVAILABLE', `GitHub created no deployment: ${JSON.stringify(data).slice(0, 200)}`, { retryable: false });
    return data.id;
  }

  function postStatus(repository: string, deploymentId: number, status: { state: DeploymentState; description: string; logUrl?: string; environmentUrl?: string }, lost?: AbortSignal) {
    const [owner = '', repo = ''] = repository.split('/');
    return authorized(repository, async (authorization) => (await octokit()).rest.repos.createDeploymentStatus({
      owner, repo, deployment_id: deploymentId, state: status.state, description: status.description, ...(status.logUrl ? { log_url: status.logUrl } : {}),
      ...(status.environmentUrl && status.state !== 'inactive' ? { environment_url: status.environmentUrl } : {}),
      headers: { authorization }, request: { signal: requestSignal(lost) },
    }));
  }

  return {
    async retire({ repository, environment, description }) {
      const about = { repository, environment, state: 'inactive' };
      const last = await ids.latest(repository, environment).catch((err: unknown) => void logger.warn({ ...about, err: summarize(err) }, 'could not read the last deployment'));
      if (last === undefined) return;
      // Forgotten only once `inactive` is posted: a retire killed or given up on is retried from it (posting inactive twice is harmless).
      const posted = await attempt('GitHub deployment of a removed environment not marked inactive', { ...about, deployment: last }, () =>
        postStatus(repository, last, { state: 'inactive', description: truncate(description) }));
      if (posted) await ids.forgetLatest(repository, environment, last).catch((err: unknown) => void logger.warn({ ...about, deployment: last, err: summarize(err) }, 'could not forget the retired deployment'));
    },
    async report(n) {
      const shown = deploymentShown(n);
      if (!shown) return;
      const [owner = '', repo = ''] = n.repository.split('/');
      const environment = n.deploy.environment;
      const about = { build: n.build, deploy: n.deploy.id, repository: n.repository, environment, state: shown.state };
      let posted: number | undefined;
      let replaced: number | undefined;
      const send = async (lost?: AbortSignal) => {
        let id = await ids.get(n.deploy.id);
        if (id === undefined) {
          if (!shown.create) return;
          id = (await created(n, owner, repo, lost)) ?? (await create(n, owner, repo, lost));
          await ids.set(n.deploy.id, id);
        }
        await postStatus(n.repository, id, { ...shown, logUrl: n.logUrl, environmentUrl: n.environmentUrl }, lost);
        posted = id;
        if (shown.state === 'success') replaced = await ids.replaceLatest(n.repository, environment, id).catch(() => undefined);
      };
      await attempt('GitHub deployment status not posted', about, async () => {
        const sent = gate ? await gate.post({ subject: `deployment:${n.deploy.id}`, step: shown.step }, send) : (await send(), true);
        if (!sent) logger.debug(about, 'deployment status dropped: a later one was already posted');
      });
      if (posted === undefined || replaced === undefined || replaced === posted || marksInactiveItself(environment)) return;
      const superseded = replaced;
      await attempt('superseded GitHub deployment not marked inactive', { ...about, superseded }, () =>
        postStatus(n.repository, superseded, { state: 'inactive', description: truncate(`Replaced by build ${n.build} (${n.sha.slice(0, 7)})`), logUrl: n.logUrl }));
    },
  };
}

/** Whether a deployment's payload (an object, or JSON text as GitHub may keep it) is the one Slipway gave this deploy. */
function isSlipwayDeploy(payload: unknown, n: DeploymentNotice): boolean {
  let value = payload;
  if (typeof value === 'string') {
    try { value = JSON.parse(value); } catch { return false; }
  }
  const mine = (value as { slipway?: { service?: unknown; build?: unknown; deploy?: unknown } } | null)?.slipway;
  return mine?.deploy === n.deploy.id && mine.build === n.build && mine.service === n.service;
}

function summarize(err: unknown) {
  const e = err as { status?: number; message?: string };
  return { status: e.status, message: e.message };
}
