/**
 * The ECR emulator against the real @aws-sdk/client-ecr (AWS JSON 1.1, SigV4 from the SDK's
 * chain) and against raw requests for what the SDK never sends. Reference: apis.md §5.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetImageCommand, CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { useFakeAwsEnv } from '../support/aws-env.ts';
import { startEcrEmulator, type EcrEmulator } from './ecr.ts';

const DIGEST = `sha256:${'4f1c'.repeat(16)}`;
const TARGET = 'AmazonEC2ContainerRegistry_V20150921.';

describe('ECR emulator', () => {
  let ecr: EcrEmulator;
  let client: ECRClient;
  let restoreEnv: () => void;
  const raw = (headers: Record<string, string>, body = '{}') =>
    fetch(ecr.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', ...headers }, body });
  const signed = {
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/ecr/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'a'.repeat(64)}`,
    'x-amz-date': '20240501T100000Z',
  };
  /** the SDK's error for a call, with its AWS code as `name` */
  const failure = (p: Promise<unknown>) => p.then(() => assert.fail('expected an error'), (err: any) => err);

  before(async () => {
    restoreEnv = useFakeAwsEnv();
    ecr = await startEcrEmulator({ username: 'AWS', password: 'pw-from-ecr', tokenLifetimeSeconds: 3600, region: 'eu-west-1' });
    client = new ECRClient({ region: 'eu-west-1', endpoint: ecr.url });
  });
  after(async () => {
    client?.destroy();
    await ecr?.close();
    restoreEnv();
  });

  it('GetAuthorizationToken: base64 AWS:<password>, expiresAt from the lifetime, proxyEndpoint; signed for ecr in the region', async () => {
    const before = ecr.calls.GetAuthorizationToken ?? 0;
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    assert.equal(Buffer.from(data?.authorizationToken ?? '', 'base64').toString(), 'AWS:pw-from-ecr');
    assert.ok(data?.expiresAt instanceof Date);
    assert.ok(Math.abs(data.expiresAt.getTime() - (Date.now() + 3600_000)) < 5_000, String(data.expiresAt));
    assert.equal(data.proxyEndpoint, 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    assert.equal(ecr.calls.GetAuthorizationToken, before + 1);
    assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    const last = ecr.requests.at(-1)!;
    assert.deepEqual([last.op, last.region, last.service, last.accessKeyId], ['GetAuthorizationToken', 'eu-west-1', 'ecr', 'AKIASLIPWAYTEST00000']);
  });

  it('the token handed out follows `token` (rotation, lifetime)', async () => {
    const saved = { ...ecr.token };
    ecr.token.password = 'rotated';
    ecr.token.lifetimeSeconds = 0.5;
    try {
      const data = (await client.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!;
      assert.equal(Buffer.from(data.authorizationToken!, 'base64').toString(), 'AWS:rotated');
      assert.ok(data.expiresAt!.getTime() - Date.now() < 1_000);
    } finally {
      Object.assign(ecr.token, saved);
    }
  });

  it('a request without Authorization is 400 MissingAuthenticationTokenException with x-amzn-RequestId, and is not counted', async () => {
    const before = ecr.calls.GetAuthorizationToken ?? 0;
    const res = await raw({ 'x-amz-target': `${TARGET}GetAuthorizationToken` });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(await res.json(), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    assert.equal(ecr.calls.GetAuthorizationToken ?? 0, before);
  });

  it('an Authorization that is not SigV4-shaped is IncompleteSignatureException', async () => {
    const res = await raw({ 'x-amz-target': `${TARGET}GetAuthorizationToken`, authorization: 'Bearer abc', 'x-amz-date': '20240501T100000Z' });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).__type, 'IncompleteSignatureException');
  });

  it('an unknown X-Amz-Target is UnknownOperationException; a body that is not JSON is SerializationException', async () => {
    for (const target of [`${TARGET}DeleteEverything`, 'AmazonEC2ContainerServiceV20141113.ListClusters', '']) {
      const res = await raw({ ...signed, 'x-amz-target': target });
      assert.equal(res.status, 400, target);
      assert.equal((await res.json()).__type, 'UnknownOperationException', target);
    }
    const res = await raw({ ...signed, 'x-amz-target': `${TARGET}GetAuthorizationToken` }, '{nope');
    assert.equal(res.status, 400);
    assert.equal((await res.json()).__type, 'SerializationException');
  });

  it('failNext: the next call of that operation fails as told (SDK error name, message, status), the one after succeeds', async () => {
    ecr.failNext('GetAuthorizationToken', 'AccessDeniedException', 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken');
    const err = await failure(client.send(new GetAuthorizationTokenCommand({})));
    assert.equal(err.name, 'AccessDeniedException');
    assert.match(err.message, /not authorized to perform: ecr:GetAuthorizationToken/);
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.$fault, 'client');
    await client.send(new GetAuthorizationTokenCommand({}));
  });

  it('a ServerException with status 500 is the service\'s fault (the SDK retries it, then gives up)', async () => {
    for (let i = 0; i < 3; i++) ecr.failNext('GetAuthorizationToken', 'ServerException', 'internal failure', 500);
    const err = await failure(client.send(new GetAuthorizationTokenCommand({})));
    assert.equal(err.name, 'ServerException');
    assert.equal(err.$fault, 'server');
    assert.equal(err.$metadata.httpStatusCode, 500);
    assert.equal(err.$metadata.attempts, 3);
  });

  it('CreateRepository, then a duplicate is RepositoryAlreadyExistsException; a bad name is InvalidParameterException', async () => {
    const out = await client.send(new CreateRepositoryCommand({ repositoryName: 'team/web', imageTagMutability: 'IMMUTABLE' }));
    assert.equal(out.repository?.repositoryUri, '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web');
    assert.equal(out.repository?.repositoryArn, 'arn:aws:ecr:eu-west-1:123456789012:repository/team/web');
    assert.equal(out.repository?.imageTagMutability, 'IMMUTABLE');
    assert.ok(out.repository?.createdAt instanceof Date);
    assert.equal((await failure(client.send(new CreateRepositoryCommand({ repositoryName: 'team/web' })))).name, 'RepositoryAlreadyExistsException');
    assert.equal((await failure(client.send(new CreateRepositoryCommand({ repositoryName: 'Team//Web' })))).name, 'InvalidParameterException');
  });

  it('DescribeImages finds a tag; a missing tag is ImageNotFoundException, a missing repository RepositoryNotFoundException', async () => {
    ecr.addImage('web', { tag: 'git-59b20b8', digest: DIGEST });
    const out = await client.send(new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'git-59b20b8' }] }));
    assert.equal(out.imageDetails?.[0]?.imageDigest, DIGEST);
    assert.deepEqual(out.imageDetails?.[0]?.imageTags, ['git-59b20b8']);
    assert.ok(out.imageDetails?.[0]?.imagePushedAt instanceof Date);
    const missingTag = await failure(client.send(new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'nope' }] })));
    assert.equal(missingTag.name, 'ImageNotFoundException');
    const missingRepo = await failure(client.send(new DescribeImagesCommand({ repositoryName: 'nothing-here', imageIds: [{ imageTag: 'x' }] })));
    assert.equal(missingRepo.name, 'RepositoryNotFoundException');
    assert.equal(missingRepo.message, "The repository with name 'nothing-here' does not exist in the registry with id '123456789012'");
  });

  it('BatchGetImage reports misses per image, not as a whole-call error', async () => {
    ecr.addImage('api', { tag: 'git-1111111', digest: DIGEST, manifest: '{"schemaVersion":2}' });
    const out = await client.send(new BatchGetImageCommand({ repositoryName: 'api', imageIds: [{ imageTag: 'git-1111111' }, { imageTag: 'nope' }] }));
    assert.deepEqual(out.images?.map((i) => [i.imageId?.imageTag, i.imageId?.imageDigest, i.imageManifest]), [['git-1111111', DIGEST, '{"schemaVersion":2}']]);
    assert.deepEqual(out.failures?.map((f) => [f.imageId?.imageTag, f.failureCode]), [['nope', 'ImageNotFound']]);
    assert.equal((await failure(client.send(new BatchGetImageCommand({ repositoryName: 'api', imageIds: [] })))).name, 'InvalidParameterException');
  });
});
