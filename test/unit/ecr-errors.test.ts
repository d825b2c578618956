import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlipwayError, type ErrorCode } from '../../src/core/errors.ts';
import { ecrError } from '../../src/registries/ecr-errors.ts';
import { ecrHost, registryHost } from '../../src/registries/registry-host.ts';

/** Errors as the AWS SDK throws them: `name` is the AWS code; `$fault` says whose fault. */
const awsError = (name: string, $fault?: 'client' | 'server') => Object.assign(new Error(`${name} happened`), { name, $fault });

const cases: [error: unknown, code: ErrorCode, retryable: boolean][] = [
  [awsError('AccessDeniedException', 'client'), 'REGISTRY_DENIED', false],
  [awsError('UnrecognizedClientException', 'client'), 'REGISTRY_DENIED', false],
  [awsError('InvalidSignatureException', 'client'), 'REGISTRY_DENIED', false],
  [awsError('ExpiredTokenException', 'client'), 'REGISTRY_DENIED', false],
  [awsError('MissingAuthenticationTokenException', 'client'), 'REGISTRY_DENIED', false],
  [awsError('CredentialsProviderError'), 'REGISTRY_DENIED', false],
  [awsError('InvalidParameterException', 'client'), 'REGISTRY_DENIED', false],
  [awsError('SomethingNewException', 'client'), 'REGISTRY_DENIED', false],
  [awsError('ThrottlingException', 'client'), 'REGISTRY_UNREACHABLE', true],
  [awsError('ServerException', 'server'), 'REGISTRY_UNREACHABLE', true],
  [awsError('SomethingNewException', 'server'), 'REGISTRY_UNREACHABLE', true],
  [awsError('TimeoutError'), 'REGISTRY_UNREACHABLE', true],
  [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'REGISTRY_UNREACHABLE', true],
  ['a string', 'REGISTRY_UNREACHABLE', true],
];

describe('ecrError', () => {
  for (const [error, code, retryable] of cases) {
    it(`${code} ← ${error instanceof Error ? error.name : String(error)}${(error as { $fault?: string }).$fault ? ` (${(error as { $fault?: string }).$fault})` : ''}`, () => {
      const mapped = ecrError(error, 'getting a token');
      assert.equal(mapped.code, code);
      assert.equal(mapped.retryable, retryable);
      assert.equal(mapped.cause, error);
      assert.match(mapped.message, /^getting a token: /);
    });
  }

  it('decides by name, not by message text', () => {
    const looksDenied = Object.assign(new Error('AccessDenied: not authorized'), { name: 'ThrottlingException', $fault: 'client' });
    assert.equal(ecrError(looksDenied, 'x').code, 'REGISTRY_UNREACHABLE');
  });

  it('passes a SlipwayError through', () => {
    const err = new SlipwayError('REGISTRY_DENIED', 'already decided');
    assert.equal(ecrError(err, 'x'), err);
  });
});

describe('registry hosts', () => {
  const cases: [address: string, host: string, ecr: ReturnType<typeof ecrHost>][] = [
    ['127.0.0.1:5000', '127.0.0.1:5000', undefined],
    ['registry.example.com/team/sub', 'registry.example.com', undefined],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', { account: '123456789012', region: 'eu-west-1' }],
    ['123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/team', '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com', { account: '123456789012', region: 'us-gov-west-1' }],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { account: '123456789012', region: 'cn-north-1' }],
    ['12345.dkr.ecr.eu-west-1.amazonaws.com', '12345.dkr.ecr.eu-west-1.amazonaws.com', undefined],
  ];
  for (const [address, host, ecr] of cases) {
    it(`${address} → ${host}${ecr ? ` (ECR ${ecr.region})` : ''}`, () => {
      assert.equal(registryHost(address), host);
      assert.deepEqual(ecrHost(address), ecr);
    });
  }
});
