import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load-config.ts';
import { isSlipwayError } from '../../src/core/errors.ts';

/** The two variables every configuration needs. */
export const MINIMAL = { GITHUB_WEBHOOK_SECRET: 's3cret', SLIPWAY_REGISTRY: '127.0.0.1:5000' };

/** The CONFIG_INVALID message `loadConfig(env)` throws; fails the test when it loads. */
export function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(isSlipwayError(err, 'CONFIG_INVALID'));
    return err.message;
  }
  assert.fail('expected CONFIG_INVALID');
}
