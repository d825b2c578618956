import type { Build } from '../core/build.ts';
import type { ReleaseRecord } from '../core/ports/build-store.ts';
import type { BuildsPage } from '../pipeline/builds-page.ts';
import type { EnvironmentsOverview } from '../pipeline/environments-overview.ts';
import { type LogChunk, ServerProblem, type SlipwayReads } from './slipway-reads.ts';

const TIMEOUT_MS = 15_000;

/** The reads over a Slipway server's API (`--server <url>`), with the API token as a bearer token when given. */
export function serverReads(base: string, token: string | undefined): SlipwayReads {
  const root = base.replace(/\/+$/, '');
  const get = async <T>(path: string, missing?: (body: { error?: string }) => T): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ServerProblem(`cannot reach the server at ${root}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    if (res.status === 401) throw new ServerProblem(`the server at ${root} refused the request: ${token ? 'SLIPWAY_API_TOKEN is not its API token' : 'it needs its API token in SLIPWAY_API_TOKEN'}`);
    if (res.status === 404 && missing) return missing(body);
    if (!res.ok) throw new ServerProblem(`the server at ${root} answered ${res.status} to GET ${path}${body.error ? `: ${body.error}` : ''}`);
    return body as T;
  };
  const query = (params: Record<string, string | number | undefined>) =>
    new URLSearchParams(Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => [k, String(v)])).toString();
  const segment = encodeURIComponent;
  return {
    builds: (f) => get<BuildsPage>(`/api/builds?${query({ service: f.service, branch: f.branch, state: f.state, author: f.author, before: f.before, limit: f.limit })}`),
    build: (id) => get<Build | undefined>(`/api/builds/${segment(id)}`, () => undefined),
    log: (id, from) => get<LogChunk>(`/api/builds/${segment(id)}/logs?${query({ from, format: 'json' })}`),
    environments: () => get<EnvironmentsOverview>('/api/environments'),
    releases: (service, environment, limit) =>
      get<{ releases: ReleaseRecord[] } | { refused: string }>(`/api/services/${segment(service)}/environments/${segment(environment)}/releases?${query({ limit })}`, (body) => ({ refused: body.error ?? 'unknown service or environment' })),
  };
}
