// Local emulator of the AWS ECR control plane, AWS JSON 1.1 (reference: shared/reference/apis.md §5).
// The real @aws-sdk/client-ecr talks to it: POST /, X-Amz-Target, a SigV4-shaped Authorization
// header (shape only; signatures are not verified), `{"__type","message"}` errors, x-amzn-RequestId.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen } from './http-util.ts';

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
const JSON_1_1 = 'application/x-amz-json-1.1';
/** `AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=<hex>` */
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$/;
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export interface EcrImage {
  readonly tag: string;
  readonly digest: string;
  readonly manifest?: string;
  readonly mediaType?: string;
}

export interface EcrEmulatorOptions {
  accountId?: string;
  region?: string;
  /** user in the authorization token; ECR's is always `AWS` (default) */
  username?: string;
  /** password in the authorization token (default: random) */
  password?: string;
  /** seconds from issue to `expiresAt`, may be fractional; ECR's are 12 hours (default) */
  tokenLifetimeSeconds?: number;
  /** `proxyEndpoint` of the token (default `https://<account>.dkr.ecr.<region>.amazonaws.com`) */
  proxyEndpoint?: string;
}

export interface EcrRequest {
  readonly op: string;
  readonly body: unknown;
  /** from the SigV4 credential scope */
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly at: number;
}

export interface EcrEmulator {
  readonly url: string;
  readonly accountId: string;
  /** answered requests per operation, failures included (signature-less requests are not counted) */
  readonly calls: Record<string, number>;
  readonly requests: EcrRequest[];
  /** what GetAuthorizationToken hands out; change it to rotate the password */
  token: { username: string; password: string; lifetimeSeconds: number };
  /** the next call of `op` fails with `{"__type": type, "message": message}` and `status` (default 400) */
  failNext(op: string, type: string, message: string, status?: number): void;
  /** an image as if it had been pushed (creating the repository when missing) */
  addImage(repository: string, image: EcrImage): void;
  close(): Promise<void>;
}

interface Repository {
  readonly repositoryName: string;
  readonly createdAt: number;
  readonly imageTagMutability: string;
  readonly images: Map<string, EcrImage & { pushedAt: number }>;
}

class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

type Operation = (body: Record<string, unknown>) => unknown;

export async function startEcrEmulator(opts: EcrEmulatorOptions = {}): Promise<EcrEmulator> {
  const accountId = opts.accountId ?? '123456789012';
  const region = opts.region ?? 'us-east-1';
  const calls: Record<string, number> = {};
  const requests: EcrRequest[] = [];
  const failures = new Map<string, AwsError[]>();
  const repositories = new Map<string, Repository>();
  const token = {
    username: opts.username ?? 'AWS',
    password: opts.password ?? randomBytes(24).toString('base64url'),
    lifetimeSeconds: opts.tokenLifetimeSeconds ?? 12 * 3600,
  };
  const proxyEndpoint = opts.proxyEndpoint ?? `https://${accountId}.dkr.ecr.${region}.amazonaws.com`;
  const now = () => Date.now() / 1000;

  const repositoryUri = (name: string) => `${accountId}.dkr.ecr.${region}.amazonaws.com/${name}`;
  const describe = (r: Repository) => ({
    repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/${r.repositoryName}`,
    registryId: accountId,
    repositoryName: r.repositoryName,
    repositoryUri: repositoryUri(r.repositoryName),
    createdAt: r.createdAt,
    imageTagMutability: r.imageTagMutability,
  });
  const repository = (body: Record<string, unknown>): Repository => {
    const name = body.repositoryName;
    if (typeof name !== 'string' || !REPOSITORY_NAME.test(name)) {
      throw new AwsError('InvalidParameterException', `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`);
    }
    const found = repositories.get(name);
    if (!found) throw new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${accountId}'`);
    return found;
  };
  const imageIds = (body: Record<string, unknown>): { imageTag?: string; imageDigest?: string }[] => {
    const ids = body.imageIds;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) {
      throw new AwsError('InvalidParameterException', "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length between 1 and 100'");
    }
    return ids as { imageTag?: string; imageDigest?: string }[];
  };
  const find = (r: Repository, id: { imageTag?: string; imageDigest?: string }) =>
    [...r.images.values()].find((i) => (id.imageTag === undefined || i.tag === id.imageTag) && (id.imageDigest === undefined || i.digest === id.imageDigest));

  const operations: Record<string, Operation> = {
    GetAuthorizationToken: () => ({
      authorizationData: [{
        authorizationToken: Buffer.from(`${token.username}:${token.password}`).toString('base64'),
        expiresAt: Math.round((now() + token.lifetimeSeconds) * 1000) / 1000,
        proxyEndpoint,
      }],
    }),
    CreateRepository: (body) => {
      const name = body.repositoryName;
      if (typeof name === 'string' && repositories.has(name)) {
        throw new AwsError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${accountId}'`);
      }
      if (typeof name !== 'string' || !REPOSITORY_NAME.test(name)) repository(body); // throws the grammar error
      const r: Repository = {
        repositoryName: name as string,
        createdAt: Math.floor(now()),
        imageTagMutability: typeof body.imageTagMutability === 'string' ? body.imageTagMutability : 'MUTABLE',
        images: new Map(),
      };
      repositories.set(r.repositoryName, r);
      return { repository: describe(r) };
    },
    DescribeImages: (body) => {
      const r = repository(body);
      const ids = body.imageIds === undefined ? undefined : imageIds(body);
      const images = ids === undefined ? [...r.images.values()] : ids.map((id) => {
        const image = find(r, id);
        if (!image) {
          throw new AwsError('ImageNotFoundException', `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${r.repositoryName}' in the registry with id '${accountId}'`);
        }
        return image;
      });
      return {
        imageDetails: images.map((i) => ({
          registryId: accountId, repositoryName: r.repositoryName, imageDigest: i.digest, imageTags: [i.tag],
          imagePushedAt: i.pushedAt, imageManifestMediaType: i.mediaType ?? 'application/vnd.docker.distribution.manifest.v2+json',
        })),
      };
    },
    BatchGetImage: (body) => {
      const r = repository(body);
      const images: unknown[] = [];
      const failures: unknown[] = [];
      for (const id of imageIds(body)) {
        const image = find(r, id);
        if (id.imageTag === undefined && id.imageDigest === undefined) {
          failures.push({ imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' });
        } else if (!image) {
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        } else {
          images.push({
            registryId: accountId, repositoryName: r.repositoryName, imageId: { imageDigest: image.digest, imageTag: image.tag },
            imageManifest: image.manifest ?? '{}', imageManifestMediaType: image.mediaType ?? 'application/vnd.docker.distribution.manifest.v2+json',
          });
        }
      }
      return { images, failures };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const requestId = randomUUID();
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'x-amzn-RequestId': requestId, 'content-type': JSON_1_1, 'content-length': String(Buffer.byteLength(text)), ...headers });
      res.end(text);
    };
    const fail = (e: AwsError) => reply(e.status, { __type: e.type, message: e.message }, { 'x-amzn-ErrorType': e.type });
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') return fail(new AwsError('UnknownOperationException', 'Unknown operation'));
    const authorization = req.headers.authorization;
    if (!authorization) return fail(new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token'));
    const scope = SIGV4.exec(authorization);
    if (!scope || !req.headers['x-amz-date']) {
      return fail(new AwsError('IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders, Signature and an X-Amz-Date header'));
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(operations, op) ? operations[op] : undefined;
    if (!operation) return fail(new AwsError('UnknownOperationException', 'Unknown operation'));
    let body: unknown;
    try {
      body = raw === '' ? {} : JSON.parse(raw);
    } catch {
      return fail(new AwsError('SerializationException', 'Start of structure or map found where not expected'));
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(new AwsError('SerializationException', 'Expected a JSON object'));
    calls[op] = (calls[op] ?? 0) + 1;
    requests.push({ op, body, accessKeyId: scope[1]!, region: scope[3]!, service: scope[4]!, at: Date.now() });
    try {
      const forced = failures.get(op)?.shift();
      if (forced) throw forced;
      reply(200, operation(body as Record<string, unknown>));
    } catch (err) {
      if (err instanceof AwsError) return fail(err);
      return fail(new AwsError('ServerException', String(err), 500));
    }
  }

  const server = await listen(handle);
  return {
    url: `http://127.0.0.1:${server.port}`,
    accountId,
    calls,
    requests,
    token,
    failNext(op, type, message, status = 400) {
      failures.set(op, [...(failures.get(op) ?? []), new AwsError(type, message, status)]);
    },
    addImage(name, image) {
      if (!repositories.has(name)) operations.CreateRepository!({ repositoryName: name });
      repositories.get(name)!.images.set(image.tag, { ...image, pushedAt: Math.floor(now()) });
    },
    close: server.close,
  };
}
