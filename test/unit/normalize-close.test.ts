import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../src/webhook/normalize.ts';
import { pullRequestPayload } from '../fixtures/payloads.ts';

describe('normalize: a pull request that closes', () => {
  it('turns a closed pull request (merged or not) from the repository itself into a close, which removes its preview', () => {
    for (const merged of [false, true]) {
      const payload = pullRequestPayload({ action: 'closed', repository: 'acme/hello', closedAt: '2026-12-07T18:50:12Z' });
      payload.pull_request.merged = merged;
      assert.deepEqual(normalize('pull_request', 'd', payload), { action: 'close', closed: { deliveryId: 'd', repository: 'acme/hello', number: payload.number, closedAt: Date.parse('2026-12-07T18:50:12.999Z') } });
    }
  });

  it('takes the close time from closed_at (GitHub\'s, to the end of its second), so a redelivery does not move it; none when the payload has none', () => {
    const payload = pullRequestPayload({ action: 'closed', repository: 'acme/hello', closedAt: '2026-12-07T18:50:12Z' });
    const times = [normalize('pull_request', 'd1', payload), normalize('pull_request', 'd2', payload)].map((v) => v.action === 'close' ? v.closed.closedAt : 'not a close');
    assert.deepEqual(times, [Date.parse('2026-12-07T18:50:12.999Z'), Date.parse('2026-12-07T18:50:12.999Z')]);
    for (const closedAt of [null, 'yesterday']) {
      payload.pull_request.closed_at = closedAt;
      const v = normalize('pull_request', 'd', payload);
      assert.equal(v.action === 'close' && 'closedAt' in v.closed, false, String(closedAt));
    }
  });

  it('skips a fork\'s closed pull request: it never had a preview', () => {
    for (const headRepository of ['mallory/hello', null]) {
      const v = normalize('pull_request', 'd', pullRequestPayload({ action: 'closed', repository: 'acme/hello', headRepository }));
      assert.equal(v.action, 'skip');
      assert.match(v.action === 'skip' ? v.reason : '', /comes from a fork, which never gets a preview; nothing to remove/);
    }
  });

});
