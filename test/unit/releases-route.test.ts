import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import type { ReleaseRecord } from '../../src/core/ports/build-store.ts';
import { environmentRoutes, type EnvironmentActions } from '../../src/http/environment-routes.ts';

function release(buildId: string, digit: string): ReleaseRecord {
  return { service: 'web', environment: 'production', sha: digit.repeat(40), image: `r/web@sha256:${digit.repeat(64)}`, buildId, deployedAt: Number(buildId), cause: 'push' };
}

// Build 14 redeployed six times (a settings change, a redeploy by hand), build 9 before it.
const HISTORY = [...Array.from({ length: 6 }, () => release('14', 'e')), release('9', '9')];

/** `GET …/environments/:environment/releases`: the history the dashboard shows, and what a rollback would put back. */
describe('the releases route', () => {
  let server: Server;
  let root = '';
  before(async () => {
    const refuse = async () => ({ refused: 'not here', reason: 'unknown_target' as const });
    const actions: EnvironmentActions = {
      deploy: refuse, promote: refuse, approve: refuse, rollback: refuse,
      releases: async (_service, _environment, limit) => ({ releases: HISTORY.slice(0, limit), repository: 'acme/web' }),
    };
    server = createServer(express().use(environmentRoutes(actions)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/services/web/environments/production/releases`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('names the build a rollback would put back even when it is older than the releases asked for', async () => {
    const body = (await (await fetch(`${root}?limit=3`)).json()) as { releases: ReleaseRecord[]; rollbackTo: string | null };
    assert.deepEqual(body.releases.map((r) => r.buildId), ['14', '14', '14']);
    assert.equal(body.rollbackTo, '9');
  });

  it('gives as many releases as asked for (10 unless told), at most 20', async () => {
    const count = async (query: string) => ((await (await fetch(`${root}${query}`)).json()) as { releases: ReleaseRecord[] }).releases.length;
    assert.deepEqual([await count(''), await count('?limit=1'), await count('?limit=50')], [7, 1, 7]);
  });
});
