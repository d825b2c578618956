/**
 * The ECR RegistryCredentials provider with the real @aws-sdk/client-ecr against the ECR
 * emulator: token decoding, caching, refresh before expiry, one request for concurrent callers,
 * and the AWS failures mapped to REGISTRY_DENIED / REGISTRY_UNREACHABLE without the password.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { isSlipwayError, type ErrorCode } from '../../src/core/errors.ts';
import { createEcrCredentials, type EcrCredentialsConfig } from '../../src/registries/ecr-credentials.ts';
import { startEcrEmulator, type EcrEmulator } from '../emulators/ecr.ts';
import { useFakeAwsEnv } from '../support/aws-env.ts';
import { freePort } from '../support/free-port.ts';

const PASSWORD = 'eyJwYXlsb2FkIjoiZWNyLXRlc3QtcGFzc3dvcmQifQ';
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
/**
 * Token lifetimes are judged by the clock (Date), which these tests move by hand: the provider
 * and the emulator (which stamps `expiresAt`) read the same mocked Date, so "half its life" is
 * exact however slow the machine is. Timers and the SDK's sockets keep running for real.
 */
const mockClock = (t: TestContext) => t.mock.timers.enable({ apis: ['Date'], now: Date.now() });

describe('ECR registry credentials', () => {
  let ecr: EcrEmulator;
  let restoreEnv: () => void;
  const provider = (config: Partial<EcrCredentialsConfig> = {}) => createEcrCredentials({ registry: `${REGISTRY}/team`, endpoint: ecr.url, ...config });
  const tokenCalls = () => ecr.calls.GetAuthorizationToken ?? 0;
  /** asserts the code and retryability, and that the password is nowhere in the error */
  const rejectsWith = (p: Promise<unknown>, code: ErrorCode, retryable: boolean, pattern?: RegExp) =>
    assert.rejects(p, (err: unknown) => {
      assert.ok(isSlipwayError(err, code), String(err));
      assert.equal(err.retryable, retryable);
      if (pattern) assert.match(err.message, pattern);
      assert.ok(!err.message.includes(PASSWORD) && !String(err.cause).includes(PASSWORD), 'the password is not in the error');
      return true;
    });

  before(async () => {
    restoreEnv = useFakeAwsEnv({ AWS_REGION: undefined });
    ecr = await startEcrEmulator({ password: PASSWORD });
  });
  after(async () => {
    await ecr?.close();
    restoreEnv();
  });

  it('decodes the token into user AWS and the password, for the registry host; the region comes from the ECR host', async (t) => {
    const started = performance.now();
    const auth = await provider().credentials();
    t.diagnostic(`first token took ${(performance.now() - started).toFixed(1)} ms`);
    assert.deepEqual(auth, { username: 'AWS', password: PASSWORD, serveraddress: REGISTRY });
    assert.equal(ecr.requests.at(-1)?.region, 'eu-west-1');
    assert.equal(ecr.requests.at(-1)?.service, 'ecr');
  });

  it('AWS_REGION wins over the host\'s region', async () => {
    await provider({ region: 'ap-south-1' }).credentials();
    assert.equal(ecr.requests.at(-1)?.region, 'ap-south-1');
  });

  it('keeps the token: the next calls ask ECR nothing and cost next to nothing', async (t) => {
    const credentials = provider();
    const first = await credentials.credentials();
    const calls = tokenCalls();
    const started = performance.now();
    for (let i = 0; i < 100; i++) assert.equal(await credentials.credentials(), first);
    t.diagnostic(`100 cached calls took ${(performance.now() - started).toFixed(2)} ms`);
    assert.equal(tokenCalls(), calls);
  });

  it('fetches a new token before the old one expires (half of a short lifetime)', async (t) => {
    mockClock(t);
    ecr.token.lifetimeSeconds = 0.6;
    try {
      const credentials = provider();
      await credentials.credentials();
      const calls = tokenCalls();
      await credentials.credentials();
      assert.equal(tokenCalls(), calls, 'still fresh right after');
      t.mock.timers.tick(350); // past half the lifetime, before expiry
      await credentials.credentials();
      assert.equal(tokenCalls(), calls + 1, 'refreshed before expiry');
    } finally {
      ecr.token.lifetimeSeconds = 12 * 3600;
    }
  });

  it('a token whose life is more than twice the margin is refreshed `refreshMarginMs` before it expires', async (t) => {
    mockClock(t);
    ecr.token.lifetimeSeconds = 1;
    try {
      const credentials = provider({ refreshMarginMs: 250 }); // refresh due at 750 ms, not at 500 ms
      await credentials.credentials();
      const calls = tokenCalls();
      t.mock.timers.tick(550);
      await credentials.credentials();
      assert.equal(tokenCalls(), calls, 'past half its life, still kept');
      t.mock.timers.tick(300);
      await credentials.credentials();
      assert.equal(tokenCalls(), calls + 1, 'refreshed inside the margin');
    } finally {
      ecr.token.lifetimeSeconds = 12 * 3600;
    }
  });

  it('concurrent callers share one request', async () => {
    const credentials = provider();
    const calls = tokenCalls();
    const answers = await Promise.all(Array.from({ length: 10 }, () => credentials.credentials()));
    assert.equal(tokenCalls(), calls + 1);
    assert.ok(answers.every((a) => a === answers[0]));
  });

  it('AccessDeniedException is REGISTRY_DENIED (no retry), named by its AWS code', async () => {
    ecr.failNext('GetAuthorizationToken', 'AccessDeniedException', 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken on resource: *');
    await rejectsWith(provider().credentials(), 'REGISTRY_DENIED', false, /AccessDeniedException.*not authorized/);
  });

  it('bad AWS credentials (UnrecognizedClientException, ExpiredTokenException) are REGISTRY_DENIED', async () => {
    for (const type of ['UnrecognizedClientException', 'ExpiredTokenException']) {
      ecr.failNext('GetAuthorizationToken', type, 'The security token included in the request is invalid.');
      await rejectsWith(provider().credentials(), 'REGISTRY_DENIED', false, new RegExp(type));
    }
  });

  it('no AWS credentials anywhere is REGISTRY_DENIED', async () => {
    const restore = useFakeAwsEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    try {
      await rejectsWith(provider().credentials(), 'REGISTRY_DENIED', false, /CredentialsProviderError/);
    } finally {
      restore();
    }
  });

  it('no region (not an ECR host, no AWS_REGION) is REGISTRY_DENIED saying so', async () => {
    await rejectsWith(provider({ registry: '127.0.0.1:5000' }).credentials(), 'REGISTRY_DENIED', false, /no AWS region; set AWS_REGION/);
  });

  it('throttling that outlasts the SDK\'s retries is REGISTRY_UNREACHABLE (retry later)', async () => {
    for (let i = 0; i < 3; i++) ecr.failNext('GetAuthorizationToken', 'ThrottlingException', 'Rate exceeded');
    await rejectsWith(provider().credentials(), 'REGISTRY_UNREACHABLE', true, /ThrottlingException/);
  });

  it('an ECR endpoint nobody listens on is REGISTRY_UNREACHABLE', async (t) => {
    const started = performance.now();
    await rejectsWith(provider({ endpoint: `http://127.0.0.1:${await freePort()}` }).credentials(), 'REGISTRY_UNREACHABLE', true, /not reachable.*ECONNREFUSED/);
    t.diagnostic(`gave up after ${(performance.now() - started).toFixed(0)} ms`);
  });

  it('a refresh that finds ECR unreachable keeps the still-valid token; a denied one fails', async (t) => {
    mockClock(t);
    ecr.token.lifetimeSeconds = 1.2;
    try {
      const credentials = provider();
      const first = await credentials.credentials();
      t.mock.timers.tick(650); // refresh due, token still valid
      for (let i = 0; i < 3; i++) ecr.failNext('GetAuthorizationToken', 'ServerException', 'internal failure', 500);
      assert.equal(await credentials.credentials(), first);
      ecr.failNext('GetAuthorizationToken', 'AccessDeniedException', 'not authorized');
      await rejectsWith(credentials.credentials(), 'REGISTRY_DENIED', false);
      assert.equal((await credentials.credentials())?.password, PASSWORD, 'the next refresh succeeds');
    } finally {
      ecr.token.lifetimeSeconds = 12 * 3600;
    }
  });
});
