import type { Build } from '../core/build.ts';
import type { ReleaseRecord } from '../core/ports/build-store.ts';
import type { BuildsPage } from '../pipeline/builds-page.ts';
import type { EnvironmentsOverview } from '../pipeline/environments-overview.ts';
import { serverCall, unexpected } from './server-call.ts';
import { followBuildEvents } from './server-events.ts';
import type { LogChunk, SlipwayReads } from './slipway-reads.ts';

/** The reads over a Slipway server's API (`--server <url>`), with the API token as a bearer token when given. */
export function serverReads(base: string, token: string | undefined): SlipwayReads {
  const { root, call } = serverCall(base, token);
  const get = async <T>(path: string, missing?: (body: { error?: string }) => T): Promise<T> => {
    const answer = await call('GET', path);
    if (answer.status === 404 && missing) return missing(answer.body);
    if (answer.status < 200 || answer.status > 299) throw unexpected(root, 'GET', path, answer);
    return answer.body as T;
  };
  const query = (params: Record<string, string | number | undefined>) =>
    new URLSearchParams(Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => [k, String(v)])).toString();
  const segment = encodeURIComponent;
  return {
    builds: (f) => get<BuildsPage>(`/api/builds?${query({ service: f.service, branch: f.branch, state: f.state, author: f.author, before: f.before, limit: f.limit })}`),
    build: (id) => get<Build | undefined>(`/api/builds/${segment(id)}`, () => undefined),
    log: (id, from) => get<LogChunk>(`/api/builds/${segment(id)}/logs?${query({ from, format: 'json' })}`),
    environments: () => get<EnvironmentsOverview>('/api/environments'),
    follow: (id, from, on) => followBuildEvents(root, token, id, from, on),
    releases: (service, environment, limit) =>
      get<{ releases: ReleaseRecord[] } | { refused: string }>(`/api/services/${segment(service)}/environments/${segment(environment)}/releases?${query({ limit })}`, (body) => ({ refused: body.error ?? 'unknown service or environment' })),
  };
}
