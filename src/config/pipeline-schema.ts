import { z } from 'zod';
import { isAcceptableCloneUrl, isValidBranchName } from '../core/refs.ts';

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `512m`, `1g`, `1.5GiB` or a number of bytes. */
const Bytes = z.union([z.number().int().min(0), z.string().regex(SIZE, 'must be a size such as 512m or 1g')]).transform((v) => {
  if (typeof v === 'number') return v;
  const [, n, unit] = SIZE.exec(v.trim()) as RegExpExecArray;
  return Math.round(Number(n) * (UNITS[(unit ?? '').toLowerCase()] ?? 1));
});

const BranchName = z.string().refine(isValidBranchName, 'is not a valid git branch name');

const CloneUrl = z.string().refine(isAcceptableCloneUrl, 'must be an https://, ssh://, git://, file:// or user@host:path URL');

export const TestSchema = z.strictObject({
  command: z.array(z.string()).min(1, 'must name a program, e.g. ["sh", "/check.sh"]'),
  timeout: z.number().int().min(1).max(86_400).default(600),
  memory: Bytes.default(1024 ** 3),
  cpus: z.number().min(0).max(64).default(1),
});

export const DeployEntrySchema = z.looseObject({
  branch: BranchName,
  environment: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case letters, digits and dashes'),
  scheduler: z.string().min(1),
});

export const PipelineSchema = z.strictObject({
  service: z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*$/, 'must be a lower-case image name such as hello or web-api').max(128),
  repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be a GitHub owner/name'),
  clone_url: CloneUrl.optional(),
  dockerfile: z
    .string()
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside the repository')
    .default('Dockerfile'),
  test: TestSchema.optional(),
  deploy: z.array(DeployEntrySchema).default([]),
});
