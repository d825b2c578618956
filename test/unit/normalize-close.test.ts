import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../src/webhook/normalize.ts';
import { pullRequestPayload } from '../fixtures/payloads.ts';

describe('normalize: a pull request that closes', () => {
  it('turns a closed pull request (merged or not) from the repository itself into a close, which removes its preview', () => {
    for (const merged of [false, true]) {
      const payload = pullRequestPayload({ action: 'closed', repository: 'acme/hello' });
      payload.pull_request.merged = merged;
      assert.deepEqual(normalize('pull_request', 'd', payload), { action: 'close', closed: { deliveryId: 'd', repository: 'acme/hello', number: payload.number } });
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
