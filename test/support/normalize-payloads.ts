/** Payload edits for the table-driven tests of `normalize` (test/unit/normalize-*.test.ts). */
import assert from 'node:assert/strict';
import { normalize } from '../../src/webhook/normalize.ts';
import { pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';

export const SHA = 'a'.repeat(40);

/** Sets `path` (dot-separated) in a copy of `payload` to `value`, creating objects on the way. */
export function withField(payload: any, path: string, value: unknown): any {
  const copy = structuredClone(payload);
  const keys = path.split('.');
  let at = copy;
  for (const key of keys.slice(0, -1)) {
    if (at[key] === null || typeof at[key] !== 'object') at[key] = {};
    at = at[key];
  }
  at[keys.at(-1)!] = value;
  return copy;
}

/** The reason `normalize` gives for skipping `payload`; fails the test when it does not skip. */
export function reasonOf(eventName: string, payload: unknown): string {
  const v = normalize(eventName, 'd', payload);
  assert.equal(v.action, 'skip', `expected a skip, got ${JSON.stringify(v).slice(0, 200)}`);
  return v.action === 'skip' ? v.reason : '';
}

/** A payload of each event normalize builds, to change one field of. */
export const valid: Record<string, () => unknown> = {
  push: () => pushPayload({ repository: 'acme/hello', branch: 'main', sha: SHA }),
  pull_request: () => pullRequestPayload({ action: 'opened', sha: SHA, branch: 'feature-x' }),
};
